package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --checkpoint-every-minutes writes checkpoints within an epoch by the clock; they change nothing
 * the run computes, and a run resumed from one of them ends byte-identical to the uninterrupted run.
 */
@Tag("bit-identity")
class TimedCheckpointsTest {
  @TempDir
  Path work;

  private void train(Path dir, String minutes, boolean resume) throws IOException {
    Map<String, String> o = TrainerDeterminismTest.options("input", SparkTestContext.sampleData().toString(),
        "model", dir.toString(), "epochs", "2", "hidden", "32", "batch", "8", "steps", "10",
        "max-tokens", "8000", "partitions", "2", "seed", "4", "sample-every", "0",
        "checkpoint-every", "0", "keep-checkpoints", "1000", "checkpoint-every-minutes", minutes,
        "resume", Boolean.toString(resume));
    new Trainer(SparkTestContext.get(), TrainOptions.fromMap(o), new PrintStream(new ByteArrayOutputStream())).run();
  }

  private static List<Path> checkpoints(Path model) throws IOException {
    try (Stream<Path> entries = Files.list(model.resolve("checkpoints"))) {
      return entries.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
    }
  }

  @Test
  void aRunResumedFromACheckpointWrittenByTheClockEndsAsTheUninterruptedRun() throws IOException {
    Path uninterrupted = work.resolve("uninterrupted");
    train(uninterrupted, "0", false);
    byte[] expected = Files.readAllBytes(uninterrupted.resolve(ModelStore.PARAMS_FILE));

    Path timed = work.resolve("timed");
    train(timed, "0.0005", false); // every 30 ms
    assertArrayEquals(expected, Files.readAllBytes(timed.resolve(ModelStore.PARAMS_FILE)));
    List<Path> written = checkpoints(timed);
    assertTrue(written.size() >= 3, "checkpoints written by the clock: " + written);

    // A crash after a checkpoint in the middle of the run: that checkpoint is all that is left.
    Path middle = written.get(written.size() / 2);
    for (Path p : written) {
      if (!p.equals(middle)) {
        deleteTree(p);
      }
    }
    for (String file : List.of(ModelStore.MODEL_FILE, ModelStore.PARAMS_FILE, ModelStore.VOCAB_FILE)) {
      Files.delete(timed.resolve(file));
    }
    train(timed, "0", true);
    assertArrayEquals(expected, Files.readAllBytes(timed.resolve(ModelStore.PARAMS_FILE)),
        "resumed from " + middle.getFileName());
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
