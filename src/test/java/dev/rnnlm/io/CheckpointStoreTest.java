package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.model.Architecture;
import dev.rnnlm.optim.OptimizerState;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints round-trip exactly, commit atomically, and a damaged one is skipped by name. */
class CheckpointStoreTest {
  @TempDir
  Path dir;

  private final CheckpointStore store = new CheckpointStore(new Configuration());

  private static Checkpoint checkpoint(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Vocabulary vocab = Vocabulary.ofTokens(List.of("<unk>", "a", "b", "\n"));
    float[] params = new float[new dev.rnnlm.model.RnnModel(4, 3).layout().size()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) r.nextGaussian();
    }
    SavedModel model = new SavedModel(Architecture.rnn(3),
        new TextPipeline(Normalizer.NONE, Tokenizer.CHAR), vocab, params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(2, 40 + seed, 4000), Map.of("seed", "1"), Map.of()));
    float[][] states = {{0.1f, -0.2f, 0.3f}, {(float) r.nextGaussian(), 1e-30f, -0f}};
    float[] momentum = new float[params.length];
    for (int i = 0; i < momentum.length; i++) {
      momentum[i] = (float) r.nextGaussian();
    }
    List<OptimizerState> optimizers = List.of(
        new OptimizerState("adam", 40 + seed, List.of(new OptimizerState.Slot("exp_avg", momentum),
            new OptimizerState.Slot("exp_avg_sq", momentum.clone()))),
        new OptimizerState("outer-nesterov", 0,
            List.of(new OptimizerState.Slot("momentum_buffer", new float[] {Float.MIN_VALUE, -0f, 3e38f}))));
    return new Checkpoint(model, new Checkpoint.Position(2, 5), new Checkpoint.Carried(states, optimizers),
        new Checkpoint.RunningSums(1234.5678901234567, 400, 12.000000000000002, 2.25),
        new Checkpoint.History(List.of(30.1, 20.00000000000001), List.of()));
  }

  private String save(long step, Checkpoint c, int keep) throws IOException {
    return store.save(dir.toString(), step, c, keep).toString();
  }

  private Optional<CheckpointStore.Loaded> loadNewest(StringBuilder log) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Optional<CheckpointStore.Loaded> loaded =
        store.loadNewest(dir.toString(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    log.append(bytes.toString(StandardCharsets.UTF_8));
    return loaded;
  }

  @Tag("bit-identity")
  @Test
  void checkpointRoundTripsExactly() throws IOException {
    Checkpoint c = checkpoint(1);
    save(41, c, 3);
    Checkpoint back = loadNewest(new StringBuilder()).orElseThrow().checkpoint();
    assertArrayEquals(c.model().params(), back.model().params());
    assertEquals(c.epoch(), back.epoch());
    assertEquals(c.step(), back.step());
    assertEquals(c.states().length, back.states().length);
    for (int p = 0; p < c.states().length; p++) {
      assertArrayEquals(c.states()[p], back.states()[p]);
    }
    assertEquals(c.lossSum(), back.lossSum(), 0.0);
    assertEquals(c.normSum(), back.normSum(), 0.0);
    assertEquals(c.tokens(), back.tokens());
    assertEquals(c.clipped(), back.clipped(), 0.0);
    assertEquals(c.carried().optimizers(), back.carried().optimizers());
    assertEquals(c.perplexities(), back.perplexities());
    assertEquals(c.model().position(), back.model().position());
  }

  @Test
  void truncatedParametersAreSkippedInFavourOfThePreviousCheckpoint() throws IOException {
    save(10, checkpoint(1), 3);
    String newest = save(20, checkpoint(2), 3);
    Path params = Path.of(newest.replace("file:", ""), ModelStore.PARAMS_FILE);
    try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    StringBuilder log = new StringBuilder();
    CheckpointStore.Loaded loaded = loadNewest(log).orElseThrow();
    assertTrue(loaded.path().getName().endsWith("10"), loaded.path().toString());
    assertTrue(log.toString().contains("step-000000000020"), log.toString());
    assertArrayEquals(checkpoint(1).model().params(), loaded.checkpoint().model().params());
  }

  @Test
  void aFlippedBitInTheCarriedStatesIsDetected() throws IOException {
    save(10, checkpoint(1), 3);
    String newest = save(20, checkpoint(2), 3);
    Path states = Path.of(newest.replace("file:", ""), "states.bin");
    byte[] bytes = Files.readAllBytes(states);
    bytes[5] ^= 0x10;
    Files.write(states, bytes);
    StringBuilder log = new StringBuilder();
    assertTrue(loadNewest(log).orElseThrow().path().getName().endsWith("10"));
    assertTrue(log.toString().contains("step-000000000020") && log.toString().contains("states.bin"), log.toString());
  }

  @Test
  void aFlippedBitInTheOptimizerStateIsDetected() throws IOException {
    save(10, checkpoint(1), 3);
    String newest = save(20, checkpoint(2), 3);
    Path optimizer = Path.of(newest.replace("file:", ""), "optimizer.bin");
    byte[] bytes = Files.readAllBytes(optimizer);
    bytes[bytes.length - 3] ^= 0x01;
    Files.write(optimizer, bytes);
    StringBuilder log = new StringBuilder();
    assertTrue(loadNewest(log).orElseThrow().path().getName().endsWith("10"));
    assertTrue(log.toString().contains("step-000000000020") && log.toString().contains("optimizer.bin"), log.toString());
  }

  @Test
  void onlyTheNewestCheckpointsAreKeptAndTemporaryDirectoriesAreIgnored() throws IOException {
    for (long step = 1; step <= 5; step++) {
      save(step, checkpoint(step), 2);
    }
    Files.createDirectories(dir.resolve("checkpoints").resolve(".step-000000000009.abc.tmp"));
    List<org.apache.hadoop.fs.Path> kept = store.list(dir.toString());
    assertEquals(List.of("step-000000000005", "step-000000000004"),
        kept.stream().map(org.apache.hadoop.fs.Path::getName).toList());
    assertEquals(45, loadNewest(new StringBuilder()).orElseThrow().checkpoint().model().position().steps());
  }

  @Test
  void noCheckpointsMeansEmpty() throws IOException {
    assertTrue(loadNewest(new StringBuilder()).isEmpty());
  }
}
