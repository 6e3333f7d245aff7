package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An option is its declaration in {@link TrainOptions}: settings hold a value per declaration,
 * and a bad value is named through the declaration, whether the option's own check, a check
 * across options or a package below found it.
 */
class OptionDeclarationsTest {
  private static OptionException rejected(String... nameValue) {
    Map<String, String> values = new HashMap<>(Map.of("input", "in", "model", "m"));
    for (int i = 0; i < nameValue.length; i += 2) {
      values.put(nameValue[i], nameValue[i + 1]);
    }
    return assertThrows(OptionException.class, () -> TrainOptions.fromMap(values));
  }

  @Test
  void everySettingReadsBackTheTextOfItsValue() {
    TrainSettings s = TrainSettings.DEFAULTS;
    for (TrainOption<?> o : TrainOptions.ALL) {
      if (o.isSetting()) {
        String text = o.get(s);
        TrainSettings again = TrainSettings.builder().setText(o, text).build();
        assertEquals(text, o.get(again), o.name());
      }
    }
  }

  @Test
  void anOptionsOwnCheckNamesItThroughItsDeclaration() {
    OptionException e = rejected("batch", "0");
    assertEquals(TrainOptions.BATCH.ref() + " must be > 0, got 0", e.template());
    assertEquals("--batch must be > 0, got 0", e.getMessage());
    assertEquals("--dropout must be in [0, 1), got 1.0", rejected("dropout", "1").getMessage());
    assertEquals("--epochs must be an integer, got 'x'", rejected("epochs", "x").getMessage());
  }

  /** OuterUpdate calls its values lr and momentum, as the schedule and the optimizers do theirs. */
  @Test
  void aPackageBelowNamesTheValueInItsTermsAndTheSettingsNameTheOption() {
    assertEquals("{outer-lr} must be > 0, got 0.0", rejected("outer-lr", "0").template());
    assertEquals("{outer-optimizer} nesterov needs {outer-momentum} > 0, got 0",
        rejected("outer-optimizer", "nesterov").template());
    assertEquals("{lr-decay} must be in (0, 1], got 2.0",
        rejected("lr-schedule", "step", "lr-decay-every", "5", "lr-decay", "2").template());
    assertEquals("{momentum} does not apply to {optimizer} adam (it takes {beta1}, {beta2}, {eps},"
        + " {weight-decay})", rejected("optimizer", "adam", "momentum", "0.9").template());
    assertEquals("--tokens must be char, word, word-eos or bpe, got 'bytes'",
        rejected("tokens", "bytes").getMessage());
    assertEquals("{sync-every} must be a step count >= 1 or 'epoch', got 'often'",
        rejected("sync-every", "often").template());
    assertEquals("--aggregation-fan-in must be >= 2 (0 = automatic), got 1",
        rejected("aggregation-fan-in", "1").getMessage());
  }

  @Test
  void aCheckAcrossOptionsNamesEachThroughItsDeclaration() {
    assertEquals("{tie-weights} needs {embedding} equal to {hidden} (the last layer's size), got"
        + " {embedding} 16 and {hidden} 32",
        rejected("tie-weights", "true", "embedding", "16", "hidden", "32").template());
    assertEquals("--val and --val-fraction exclude each other, got both",
        rejected("val", "x", "val-fraction", "0.1").getMessage());
  }

  @Test
  void withModelDirChangesOnlyTheModelDirectory() {
    TrainSettings s = TrainOptions.fromMap(Map.of("input", "in", "model", "m", "optimizer", "adam",
        "lr", "0.01", "lr-schedule", "cosine", "hidden", "64"));
    TrainSettings moved = s.withModelDir("elsewhere");
    assertEquals("elsewhere", moved.modelDir());
    for (TrainOption<?> o : TrainOptions.ALL) {
      if (o.isSetting() && o != TrainOptions.MODEL_DIR) {
        assertEquals(o.get(s), o.get(moved), o.name());
      }
    }
    assertEquals(s.optimizerSettings(), moved.optimizerSettings());
    assertEquals(s.scheduleSettings(), moved.scheduleSettings());
    assertEquals(s.sync(), moved.sync());
  }
}
