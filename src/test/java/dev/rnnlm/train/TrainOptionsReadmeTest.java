package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's short train option table (the essential options) and the command reference's
 * full one are the option table's: a default, a help text or an option changed in
 * {@link TrainOptions#ALL} alone fails here until both documents say the same. To update them,
 * run this test with {@code -Drnnlm.updateReadme=true}.
 */
class TrainOptionsReadmeTest {
  static final String BEGIN = "<!-- train options: generated from train.TrainOptions; TrainOptionsReadmeTest checks it -->\n";
  static final String END = "\n<!-- end of train options -->";

  @Test
  void theReadmesTrainOptionTableIsTheOptionTablesEssentialOptions() throws Exception {
    assertGenerated(Path.of("README.md"), TrainOptions.essentialMarkdownTable());
  }

  @Test
  void theCommandReferencesTrainOptionTableIsTheWholeOptionTable() throws Exception {
    assertGenerated(Path.of("src/site/markdown/commands.md"), TrainOptions.markdownTable());
  }

  private static void assertGenerated(Path doc, String generated) throws Exception {
    String text = Files.readString(doc);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END, begin);
    assertTrue(begin >= 0 && end > begin, doc + " lacks the train option markers");
    String inDoc = text.substring(begin + BEGIN.length(), end);
    if (Boolean.getBoolean("rnnlm.updateReadme")) {
      Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + generated + text.substring(end));
      return;
    }
    assertEquals(generated, inDoc, doc + "'s train options differ from train.TrainOptions.ALL; "
        + "run this test with -Drnnlm.updateReadme=true to rewrite them");
  }

  @Test
  void everySettingHasItsDefaultInTheTableAndRoundTripsThroughTheModelsRecord() {
    TrainSettings defaults = TrainSettings.DEFAULTS;
    TrainSettings again = TrainOptions.fromMap(TrainOptions.toMap(defaults, defaults.partitions()));
    assertEquals(TrainOptions.toMap(defaults, 0), TrainOptions.toMap(again, 0));
    for (TrainOption<?> o : TrainOptions.ALL) {
      if (o.isSetting() && !o.defaultShown().isEmpty() && o != TrainOptions.INPUT && o != TrainOptions.MODEL_DIR) {
        // Each setting reads back the default the table gives it (shown or parsed).
        TrainSettings.Builder b = TrainSettings.builder();
        b.setText(o, o.defaultText());
        assertEquals(o.get(defaults), o.get(b.build()), o.name());
      }
    }
  }

  @Test
  void resumeFixesExactlyTheOptionsThatDecideTheModelOrTheTrajectory() {
    assertEquals(java.util.List.of("hidden", "cell", "layers", "embedding", "tie-weights", "softmax", "cutoffs", "tokens", "normalize",
        "vocab-size", "tokenizer"), TrainOptions.namesWith(TrainOption.Effect.MODEL));
    assertEquals(java.util.List.of("input", "epochs", "lr", "clip", "outer-lr", "outer-clip", "val-streams"), TrainOptions.namesWith(TrainOption.Effect.ADJUSTABLE));
    assertEquals(java.util.List.of("dropout", "batch", "steps", "optimizer", "momentum", "beta1", "beta2", "eps",
        "weight-decay", "lr-schedule", "lr-decay", "lr-decay-every", "warmup-steps", "sync-every", "outer-optimizer", "outer-momentum",
        "aggregation-fan-in", "sampling", "min-freq", "max-tokens", "max-vocab",
        "partitions", "seed", "val-fraction"), TrainOptions.namesWith(TrainOption.Effect.TRAJECTORY));
  }
}
