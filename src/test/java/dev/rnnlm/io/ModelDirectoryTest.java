package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.model.Architecture;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing a model: at every point a crash can stop the move, a reader loads one whole model
 * (the old one before the switch, the new one after) and the next writer completes the move.
 */
class ModelDirectoryTest {
  private static final List<String> MOVE_ORDER = List.of(CheckpointStore.DIR, ModelStore.METRICS_FILE,
      TrainingPlot.FILE, ModelStore.PARAMS_FILE, ModelStore.VOCAB_FILE, ModelStore.MODEL_FILE);

  @TempDir
  Path work;

  private final Configuration conf = new Configuration();
  private final ModelStore store = new ModelStore(conf);

  private static SavedModel model(long seed, List<String> tokens) {
    SplittableRandom r = new SplittableRandom(seed);
    Vocabulary vocab = Vocabulary.ofTokens(tokens);
    float[] params = new float[new dev.rnnlm.model.RnnModel(tokens.size(), 3).layout().size()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) r.nextGaussian();
    }
    return new SavedModel(Architecture.rnn(3),
        new TextPipeline(Normalizer.NONE, Tokenizer.CHAR), vocab, params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(1, 10, 100), Map.of("seed", Long.toString(seed)), Map.of()));
  }

  /** DIR with an old model and a finished --overwrite run staged beside it. */
  private Path directoryWithStagedReplacement(SavedModel oldModel, SavedModel newModel) throws IOException {
    Path dir = work.resolve("m");
    store.save(dir.toString(), oldModel);
    Files.writeString(dir.resolve(ModelStore.METRICS_FILE), "{\"epoch\":1,\"old\":true}\n");
    Files.createDirectories(dir.resolve(CheckpointStore.DIR).resolve("step-000000000007"));
    Path staging = dir.resolve(ModelDirectory.STAGING);
    store.save(staging.toString(), newModel);
    Files.writeString(staging.resolve(ModelStore.METRICS_FILE), "{\"epoch\":1}\n");
    Files.writeString(staging.resolve(TrainingPlot.FILE), "png");
    Files.createDirectories(staging.resolve(CheckpointStore.DIR));
    return dir;
  }

  @Test
  void aReplacementStoppedAfterAnyMoveLoadsTheNewModelAndIsCompletedByTheNextWriter() throws Exception {
    SavedModel oldModel = model(1, List.of("<unk>", "a", "b"));
    SavedModel newModel = model(2, List.of("<unk>", "x", "y", "z"));
    for (int moved = 0; moved <= MOVE_ORDER.size(); moved++) {
      Path dir = directoryWithStagedReplacement(oldModel, newModel);
      assertArrayEquals(oldModel.params(), store.load(dir.toString()).params(), "before the switch");
      // The switch, then the first `moved` moves of the publication, then a crash.
      Files.writeString(dir.resolve(ModelDirectory.PUBLISHING), ModelDirectory.STAGING + "\n");
      org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.getLocal(conf);
      for (String name : MOVE_ORDER.subList(0, moved)) {
        org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(dir.resolve(name).toString());
        fs.delete(to, true);
        assertTrue(fs.rename(new org.apache.hadoop.fs.Path(dir.resolve(ModelDirectory.STAGING).resolve(name).toString()), to));
      }
      SavedModel read = store.load(dir.toString());
      assertArrayEquals(newModel.params(), read.params(), "after " + moved + " moves");
      assertEquals(newModel.vocabulary().tokens(), read.vocabulary().tokens());

      ByteArrayOutputStream log = new ByteArrayOutputStream();
      new ModelDirectory(conf, dir.toString())
          .completeInterruptedReplacement(new PrintStream(log, true, StandardCharsets.UTF_8));
      assertTrue(log.toString(StandardCharsets.UTF_8).contains("completing the interrupted replacement"));
      assertFalse(Files.exists(dir.resolve(ModelDirectory.STAGING)));
      assertFalse(Files.exists(dir.resolve(ModelDirectory.PUBLISHING)));
      assertArrayEquals(newModel.params(), store.load(dir.toString()).params());
      assertEquals("{\"epoch\":1}\n", Files.readString(dir.resolve(ModelStore.METRICS_FILE)));
      assertFalse(Files.exists(dir.resolve(CheckpointStore.DIR).resolve("step-000000000007")),
          "the old model's checkpoints are gone with it");
      org.apache.hadoop.fs.FileUtil.fullyDelete(dir.toFile());
    }
  }

  @Test
  void publishingMakesTheStagedModelTheDirectorysModel() throws Exception {
    SavedModel newModel = model(2, List.of("<unk>", "x"));
    Path dir = directoryWithStagedReplacement(model(1, List.of("<unk>", "a")), newModel);
    new ModelDirectory(conf, dir.toString()).publishReplacement();
    assertArrayEquals(newModel.params(), store.load(dir.toString()).params());
    assertFalse(Files.exists(dir.resolve(ModelDirectory.STAGING)));
    assertFalse(Files.exists(dir.resolve(ModelDirectory.PUBLISHING)));
  }
}
