package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.CheckpointStore;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A non-finite loss or gradient stops training before it is applied; checkpoints stay good. */
class DivergenceTest {
  @TempDir
  Path work;

  @Test
  void nonFiniteStepStopsTrainingAndTheLastCheckpointStaysLoadable() throws IOException {
    Path model = work.resolve("m");
    // A learning rate near float's maximum blows the parameters up within a few steps.
    CliRun run = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--epochs", "2", "--hidden", "64", "--batch", "8",
        "--steps", "10", "--max-tokens", "8000", "--lr", "1e38", "--clip", "1e38",
        "--checkpoint-every-steps", "1", "--sample-every", "0");
    assertEquals(1, run.exitCode(), run.out());
    String err = run.err().strip();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.matches("error: training diverged at epoch 1 step \\d+: loss .*; the step was not applied; last good checkpoint: .*step-\\d+.*"), err);
    assertFalse(Files.exists(model.resolve("model.json")), "no final model is published");

    CheckpointStore.Loaded last = new CheckpointStore(new Configuration())
        .loadNewest(model.toString(), new PrintStream(new ByteArrayOutputStream())).orElseThrow();
    assertTrue(err.contains(last.path().getName()), err + " names " + last.path());
    for (float p : last.checkpoint().model().params()) {
      assertTrue(Float.isFinite(p), "checkpointed parameters are finite");
    }
  }
}
