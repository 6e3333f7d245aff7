package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelDirectory;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.CliProcess;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A careless user's runs, each in a JVM of its own as from the command line: killed, started
 * twice at once, given more vocabulary than the heap holds.
 */
class HostileRunsTest {
  private static final List<String> SMALL = List.of("--hidden", "16", "--batch", "8", "--steps", "10",
      "--max-tokens", "8000", "--partitions", "2", "--sample-every", "0", "--master", "local[2]");
  /** 400,000 word tokens, 356,094 distinct: a vocabulary whose model cannot fit a few GiB. */
  private static Path manyWords;

  @TempDir
  static Path shared;
  @TempDir
  Path work;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void writeManyWordsCorpus() throws IOException {
    manyWords = shared.resolve("words.txt");
    int distinct = 356_094;
    SplittableRandom random = new SplittableRandom(7);
    try (BufferedWriter w = Files.newBufferedWriter(manyWords)) {
      for (int i = 0; i < 400_000; i++) {
        int id = i < distinct ? i : random.nextInt(5000);
        w.write("w" + Integer.toString(id, 36));
        w.write(i % 12 == 11 ? '\n' : ' ');
      }
    }
  }

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Process start(String heap, String logName, List<String> args) throws IOException {
    Process p = CliProcess.start(heap, work.resolve(logName), args);
    started.add(p);
    return p;
  }

  private static List<String> train(Path model, List<String> options, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString()));
    args.addAll(options);
    args.addAll(List.of(extra));
    return args;
  }

  private static boolean waitFor(BooleanSupplier condition, Process p, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  private static boolean hasCheckpoint(Path dir) {
    try (Stream<Path> entries = Files.list(dir.resolve("checkpoints"))) {
      return entries.anyMatch(e -> e.getFileName().toString().startsWith("step-"));
    } catch (IOException e) {
      return false;
    }
  }

  private String log(String name) throws IOException {
    return Files.readString(work.resolve(name));
  }

  /** The lines of a run's output that are errors, and that no stack trace reached the console. */
  private static List<String> errorLines(String output) {
    assertFalse(output.contains("\tat "), "no stack trace on the console:\n" + output);
    return output.lines().filter(l -> l.startsWith("error:")).toList();
  }

  @Test
  void anOverwriteKilledMidRunLeavesTheOldModelLoadableAndUnchanged() throws Exception {
    Path model = work.resolve("model");
    assertEquals(0, CliRun.of(train(model, SMALL, "--epochs", "1").toArray(String[]::new)).exitCode());
    byte[] params = Files.readAllBytes(model.resolve(ModelStore.PARAMS_FILE));
    byte[] descriptor = Files.readAllBytes(model.resolve(ModelStore.MODEL_FILE));

    Process p = start("1g", "overwrite.log", train(model, SMALL, "--epochs", "20", "--seed", "3",
        "--checkpoint-every-steps", "5", "--overwrite"));
    Path staging = model.resolve(ModelDirectory.STAGING);
    assertTrue(waitFor(() -> hasCheckpoint(staging), p, 120), log("overwrite.log"));
    p.destroyForcibly(); // SIGKILL
    p.waitFor(30, TimeUnit.SECONDS);

    assertArrayEquals(params, Files.readAllBytes(model.resolve(ModelStore.PARAMS_FILE)));
    assertArrayEquals(descriptor, Files.readAllBytes(model.resolve(ModelStore.MODEL_FILE)));
    CliRun generated = CliRun.of("generate", "--model", model.toString(), "--prefix", "The", "--length", "20");
    assertEquals(0, generated.exitCode(), generated.err());

    // A plain train still refuses; --overwrite --resume continues the replacement and publishes it.
    assertEquals(Main.FAILED, CliRun.of(train(model, SMALL, "--epochs", "2").toArray(String[]::new)).exitCode());
    CliRun finished = CliRun.of(train(model, SMALL, "--epochs", "2", "--seed", "3",
        "--checkpoint-every-steps", "5", "--overwrite", "--resume").toArray(String[]::new));
    assertEquals(0, finished.exitCode(), finished.err());
    assertTrue(finished.out().contains("resume: from"), finished.out());
    assertFalse(Files.exists(staging));
    assertEquals(2, Files.readAllLines(model.resolve(ModelStore.METRICS_FILE)).size());
  }

  @Test
  void sigtermStopsARunWithOneLineReleasesTheLockAndLeavesItResumable() throws Exception {
    Path model = work.resolve("model");
    Process p = start("1g", "term.log", train(model, SMALL, "--epochs", "200", "--checkpoint-every-steps", "5"));
    assertTrue(waitFor(() -> hasCheckpoint(model), p, 120), log("term.log"));
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), log("term.log"));
    assertFalse(Files.exists(model.resolve(".lock")), "the lock is released on SIGTERM");
    List<String> errors = errorLines(log("term.log"));
    assertEquals(1, errors.size(), log("term.log"));
    assertTrue(errors.get(0).startsWith("error: stopped: Spark was shut down while training"), errors.get(0));
    CliRun resumed = CliRun.of(train(model, SMALL, "--epochs", "2", "--resume").toArray(String[]::new));
    assertEquals(0, resumed.exitCode(), resumed.err());
  }

  @Test
  void aSecondTrainOnTheSameDirectoryExitsThreeAtOnceAndTheFirstIsUndisturbed() throws Exception {
    Path model = work.resolve("model");
    // The first run trains on one core: on a 2-core machine a run on both would leave the second
    // JVM's start-up to the scheduler. The bound is the start-up of a JVM without class-data
    // sharing (the tests run before the archive is packaged) that loads Hadoop's file system
    // and refuses: 2.6-3.7 s through scripts/rnnlm with the archive on a 2-core AMD EPYC, and
    // past 5 s from the test's class path in 2 of 4 runs there; the first run takes far longer.
    List<String> options = new ArrayList<>(SMALL);
    options.set(options.indexOf("local[2]"), "local[1]");
    options.addAll(List.of("--epochs", "4", "--seed", "11"));
    Process first = start("1g", "first.log", train(model, options));
    assertTrue(waitFor(() -> Files.exists(model.resolve(".lock")), first, 60), log("first.log"));

    long start = System.nanoTime();
    Process second = start("1g", "second.log", train(model, options));
    assertTrue(second.waitFor(10, TimeUnit.SECONDS), "the second run is still running after 10 s");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(Main.LOCKED, second.exitValue(), log("second.log"));
    List<String> errors = errorLines(log("second.log"));
    assertEquals(List.of("error: model directory " + model + " is in use by another run (pid "
        + first.pid() + " on " + java.net.InetAddress.getLocalHost().getHostName() + " since "),
        errors.stream().map(e -> e.substring(0, e.indexOf(" since ") + 7)).toList(), log("second.log"));
    System.out.printf("second writer refused after %.1f s: %s%n", seconds, errors.get(0));

    assertTrue(first.waitFor(180, TimeUnit.SECONDS), log("first.log"));
    assertEquals(0, first.exitValue(), log("first.log"));
    Path undisturbed = work.resolve("undisturbed");
    assertEquals(0, CliRun.of(train(undisturbed, options).toArray(String[]::new)).exitCode());
    assertArrayEquals(Files.readAllBytes(undisturbed.resolve(ModelStore.PARAMS_FILE)),
        Files.readAllBytes(model.resolve(ModelStore.PARAMS_FILE)));
    assertFalse(Files.exists(model.resolve(".lock")));
  }

  private List<String> manyWords(Path model, int hidden, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--input", manyWords.toString(), "--model",
        model.toString(), "--tokens", "word", "--hidden", Integer.toString(hidden), "--epochs", "1",
        "--master", "local[2]"));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void aVocabularyTooLargeForTheHeapFailsInSecondsWithOneLineAndAMaxVocabPasses() throws Exception {
    Path model = work.resolve("words");
    long start = System.nanoTime();
    Process p = start("4g", "words.log", manyWords(model, 512));
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), log("words.log"));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(Main.FAILED, p.exitValue(), log("words.log"));
    List<String> errors = errorLines(log("words.log"));
    assertEquals(1, errors.size(), log("words.log"));
    String error = errors.get(0);
    assertTrue(error.startsWith("error: not enough memory: training needs about "), error);
    assertTrue(error.matches(".*needs about [0-9,]+ MiB on the driver.*heap of [0-9,]+ MiB leaves [0-9,]+ MiB.*"), error);
    assertTrue(error.contains("--max-vocab") && error.contains("spark.driver.memory"), error);
    assertTrue(seconds < 30, "took " + seconds + " s");
    assertFalse(Files.exists(model.resolve(ModelStore.MODEL_FILE)));
    System.out.printf("refused after %.1f s: %s%n", seconds, error);

    // The same corpus with --max-vocab 20000 passes the check and trains (stopped after its first steps).
    Path capped = work.resolve("capped");
    Process ok = start("4g", "capped.log", manyWords(capped, 512, "--max-vocab", "20000",
        "--checkpoint-every-steps", "1"));
    assertTrue(waitFor(() -> hasCheckpoint(capped), ok, 120), log("capped.log"));
    assertFalse(log("capped.log").contains("not enough memory"), log("capped.log"));
    assertTrue(log("capped.log").contains("vocabulary 20000"), log("capped.log"));
  }

  @Test
  void runningOutOfMemoryInATaskOrOnTheDriverIsOneLineAndExitOne() throws Exception {
    // --hidden 64: the parameters fit a 1 GiB heap but a task's logits (35 x 16 x 356,095) do not.
    Process task = start("1g", "task.log", manyWords(work.resolve("task"), 64, "--skip-memory-check"));
    assertTrue(task.waitFor(120, TimeUnit.SECONDS), log("task.log"));
    assertEquals(Main.FAILED, task.exitValue(), log("task.log"));
    List<String> taskErrors = errorLines(log("task.log"));
    assertEquals(1, taskErrors.size(), log("task.log"));
    assertTrue(taskErrors.get(0).matches("error: a Spark task failed \\(task .*\\): partition \\d ran out of memory.*"),
        taskErrors.get(0));

    // --hidden 512: the parameters alone (1.4 GiB) do not fit; the driver runs out first.
    Process driver = start("1g", "driver.log", manyWords(work.resolve("driver"), 512, "--skip-memory-check"));
    assertTrue(driver.waitFor(120, TimeUnit.SECONDS), log("driver.log"));
    assertEquals(Main.FAILED, driver.exitValue(), log("driver.log"));
    List<String> driverErrors = errorLines(log("driver.log"));
    assertEquals(1, driverErrors.size(), log("driver.log"));
    assertTrue(driverErrors.get(0).contains("ran out of memory"), driverErrors.get(0));
  }
}
