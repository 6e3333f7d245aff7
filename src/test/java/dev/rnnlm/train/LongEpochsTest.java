package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Long epochs: --checkpoint-every-minutes writes checkpoints within an epoch by the clock and
 * --validate-every-steps scores the validation text within it. Neither changes what is trained,
 * and a run resumed from a checkpoint written by the clock ends byte-identical to the
 * uninterrupted run, with the same validations.
 */
@Tag("bit-identity")
class LongEpochsTest {
  /** --checkpoint-every-minutes so short (60 microseconds) that every synchronization passes it, on any machine. */
  private static final String EVERY_STEP = "0.000001";

  @TempDir
  Path work;

  private void train(Path dir, String minutes, boolean resume) throws IOException {
    train(dir, minutes, "0", resume);
  }

  private String train(Path dir, String minutes, String validateEvery, boolean resume) throws IOException {
    Map<String, String> o = TrainerDeterminismTest.options("input", SparkTestContext.sampleData().toString(),
        "model", dir.toString(), "epochs", "2", "hidden", "32", "batch", "8", "steps", "10",
        "max-tokens", "8000", "partitions", "2", "seed", "4", "sample-every", "0",
        "checkpoint-every", "0", "keep-checkpoints", "1000", "checkpoint-every-minutes", minutes,
        "val-fraction", "0.1", "validate-every-steps", validateEvery, "resume", Boolean.toString(resume));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    new Trainer(SparkTestContext.get(), TrainOptions.fromMap(o), new PrintStream(log, true)).run();
    return log.toString();
  }

  /** The validations of validation.jsonl without their timing. */
  private static List<String> validations(Path model) throws IOException {
    return Files.readAllLines(model.resolve(ModelStore.VALIDATION_FILE)).stream()
        .map(l -> l.replaceAll(",\"val_seconds\":[0-9.E-]+", "")).toList();
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
    train(timed, EVERY_STEP, false);
    assertArrayEquals(expected, Files.readAllBytes(timed.resolve(ModelStore.PARAMS_FILE)));
    List<Path> written = checkpoints(timed);
    assertTrue(written.size() >= 3, "checkpoints written by the clock: " + written);

    Path middle = crashAfterTheMiddleCheckpoint(timed);
    train(timed, "0", true);
    assertArrayEquals(expected, Files.readAllBytes(timed.resolve(ModelStore.PARAMS_FILE)),
        "resumed from " + middle.getFileName());
  }

  @Test
  void validationsWithinEpochsChangeNothingTrainedAndAResumedRunTakesTheSameOnes() throws IOException {
    Path plain = work.resolve("plain");
    train(plain, "0", false);
    byte[] expected = Files.readAllBytes(plain.resolve(ModelStore.PARAMS_FILE));

    Path validated = work.resolve("validated");
    String log = train(validated, "0", "7", false);
    assertArrayEquals(expected, Files.readAllBytes(validated.resolve(ModelStore.PARAMS_FILE)));
    List<String> lines = validations(validated);
    assertTrue(lines.size() >= 4, lines.toString());
    assertTrue(log.contains("validation at epoch 1 step 7/"), log);
    long previous = 0;
    for (String line : lines) {
      long steps = Long.parseLong(line.replaceAll(".*\"steps\":(\\d+).*", "$1"));
      assertTrue(steps % 7 == 0 && steps > previous, lines.toString());
      previous = steps;
    }

    // Crash after a clock checkpoint in the middle: the validations after it are taken again.
    Path resumed = work.resolve("resumed");
    train(resumed, EVERY_STEP, "7", false);
    Path middle = crashAfterTheMiddleCheckpoint(resumed);
    train(resumed, "0", "7", true);
    assertArrayEquals(expected, Files.readAllBytes(resumed.resolve(ModelStore.PARAMS_FILE)));
    assertEquals(lines, validations(resumed), "resumed from " + middle.getFileName());
  }

  /**
   * As if the run had crashed right after its middle checkpoint: the later checkpoints and the
   * final model are gone (the earlier checkpoints too, so the resume must take this one).
   */
  private static Path crashAfterTheMiddleCheckpoint(Path model) throws IOException {
    List<Path> written = checkpoints(model);
    Path middle = written.get(written.size() / 2);
    for (Path p : written) {
      if (!p.equals(middle)) {
        deleteTree(p);
      }
    }
    for (String file : List.of(ModelStore.MODEL_FILE, ModelStore.PARAMS_FILE, ModelStore.VOCAB_FILE)) {
      Files.delete(model.resolve(file));
    }
    return middle;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
