package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelDirectory;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What train does with a --model directory that already holds something (in process). */
class ModelDirectoryGuardTest {
  @TempDir
  Path work;

  private static CliRun train(Path model, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--epochs", "1", "--hidden", "16", "--batch", "8", "--steps", "10",
        "--max-tokens", "4000", "--sample-every", "0"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** Every file under {@code dir} (but run logs) with its bytes. */
  private static Map<String, byte[]> contents(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        String name = dir.relativize(p).toString();
        if (!name.startsWith(ModelDirectory.LOGS + "/")) {
          files.put(name, Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name));
  }

  @Test
  void trainingAgainOverAModelIsRefusedAndLeavesEveryFileUnchanged() throws Exception {
    Path model = work.resolve("m");
    assertEquals(0, train(model).exitCode());
    Map<String, byte[]> before = contents(model);

    CliRun again = train(model, "--seed", "9");
    assertEquals(Main.FAILED, again.exitCode(), again.out());
    assertEquals(1, again.err().lines().count(), again.err());
    assertTrue(again.err().startsWith("error: model directory " + model + " already holds a trained model"), again.err());
    assertTrue(again.err().contains("--resume") && again.err().contains("--overwrite"), again.err());
    assertSameFiles(before, contents(model));
  }

  @Test
  void checkpointsOfAnUnfinishedRunAreGuardedLikeAModel() throws Exception {
    Path model = work.resolve("m");
    assertEquals(0, train(model).exitCode());
    Files.delete(model.resolve(ModelStore.MODEL_FILE)); // as if killed before the end
    Map<String, byte[]> before = contents(model);
    CliRun again = train(model);
    assertEquals(Main.FAILED, again.exitCode());
    assertTrue(again.err().contains("checkpoints of an unfinished run"), again.err());
    assertSameFiles(before, contents(model));
  }

  @Test
  void resumeOfAModelWithoutCheckpointsIsRefusedInsteadOfTrainingOverIt() throws Exception {
    Path model = work.resolve("m");
    assertEquals(0, train(model, "--checkpoint-every", "0").exitCode());
    Map<String, byte[]> before = contents(model);
    CliRun resumed = train(model, "--checkpoint-every", "0", "--resume");
    assertEquals(Main.FAILED, resumed.exitCode());
    assertTrue(resumed.err().contains("no checkpoint to continue from"), resumed.err());
    assertSameFiles(before, contents(model));
  }

  @Test
  void overwriteReplacesModelMetricsAndCheckpointsWithTheNewRunsOnly() throws Exception {
    Path model = work.resolve("m");
    assertEquals(0, train(model, "--seed", "1").exitCode());
    byte[] oldParams = Files.readAllBytes(model.resolve(ModelStore.PARAMS_FILE));
    Path fresh = work.resolve("fresh");
    assertEquals(0, train(fresh, "--seed", "2", "--checkpoint-every", "0").exitCode());

    CliRun replaced = train(model, "--seed", "2", "--checkpoint-every", "0", "--overwrite");
    assertEquals(0, replaced.exitCode(), replaced.err());
    byte[] newParams = Files.readAllBytes(model.resolve(ModelStore.PARAMS_FILE));
    assertFalse(java.util.Arrays.equals(oldParams, newParams));
    assertArrayEquals(Files.readAllBytes(fresh.resolve(ModelStore.PARAMS_FILE)), newParams);
    assertEquals(perplexities(fresh), perplexities(model), "the metrics are the new run's");
    try (Stream<Path> checkpoints = Files.list(model.resolve("checkpoints"))) {
      assertEquals(0, checkpoints.count(), "the old run's checkpoints went with its model");
    }
    assertFalse(Files.exists(model.resolve(ModelDirectory.STAGING)));
    assertFalse(Files.exists(model.resolve(ModelDirectory.PUBLISHING)));
    assertEquals(0, CliRun.of("inspect", "--model", model.toString()).exitCode());
  }

  private static List<Double> perplexities(Path model) throws IOException {
    List<Double> out = new ArrayList<>();
    for (String line : Files.readAllLines(model.resolve(ModelStore.METRICS_FILE))) {
      out.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).path("perplexity").asDouble());
    }
    return out;
  }

  @Test
  void aRegularFileAsModelFailsBeforeAnyWork() throws Exception {
    Path file = Files.writeString(work.resolve("notes.txt"), "keep me");
    long start = System.nanoTime();
    CliRun run = train(file);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(Main.FAILED, run.exitCode());
    assertEquals("error: --model " + file + " is a file, not a directory", run.err().strip());
    assertEquals("keep me", Files.readString(file));
    assertTrue(seconds < 10, "took " + seconds + " s");

    CliRun below = train(file.resolve("model"));
    assertEquals(Main.FAILED, below.exitCode());
    assertTrue(below.err().contains("cannot be created: " + file + " is a file"), below.err());
  }

  @Test
  void aMissingInputFailsBeforeTheModelDirectoryIsCreated() {
    Path model = work.resolve("never");
    CliRun run = CliRun.of("train", "--input", work.resolve("typo.txt").toString(), "--model", model.toString());
    assertEquals(Main.FAILED, run.exitCode());
    assertEquals("error: input path does not exist: " + work.resolve("typo.txt"), run.err().strip());
    assertFalse(Files.exists(model));
  }

  @Test
  void aLockOfALiveProcessStopsTrainAtOnceAndAStaleOneIsTakenOver() throws Exception {
    Path model = Files.createDirectories(work.resolve("m"));
    String host = java.net.InetAddress.getLocalHost().getHostName();
    long pid = ProcessHandle.current().pid();
    String now = java.time.Instant.now().toString();
    Files.writeString(model.resolve(".lock"), "pid=" + pid + "\nhost=" + host + "\nstarted=" + now + "\n");
    CliRun locked = train(model);
    assertEquals(Main.LOCKED, locked.exitCode(), locked.out());
    assertEquals("error: model directory " + model + " is in use by another run (pid " + pid + " on "
        + host + " since " + now + ")", locked.err().strip());
    assertFalse(Files.exists(model.resolve(ModelStore.MODEL_FILE)));

    // The same pid, but its lock is older than the process that has the pid now: reused.
    Files.writeString(model.resolve(".lock"), "pid=" + pid + "\nhost=" + host + "\nstarted=2000-01-01T00:00:00Z\n");
    CliRun reused = train(model);
    assertEquals(0, reused.exitCode(), reused.err());
    assertTrue(reused.out().contains("warning: taking over the stale lock of pid " + pid), reused.out());

    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(model.resolve(".lock"), "pid=" + gone.pid() + "\nhost=" + host + "\n");
    CliRun takeover = train(model, "--resume");
    assertEquals(0, takeover.exitCode(), takeover.err());
    assertTrue(takeover.out().contains("warning: taking over the stale lock of pid " + gone.pid()), takeover.out());
    assertFalse(Files.exists(model.resolve(".lock")), "released at the end");
  }

  @Test
  void aFailedRunNamesItsLogWhichHoldsTheStackTrace() throws Exception {
    Path model = work.resolve("m");
    // --steps longer than the corpus: the window plan refuses it once the corpus is read
    CliRun run = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(), "--model",
        model.toString(), "--max-tokens", "50", "--steps", "35", "--batch", "32");
    assertEquals(Main.FAILED, run.exitCode());
    assertEquals(1, run.err().lines().count(), run.err());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(details: (.*)\\)$").matcher(run.err().strip());
    assertTrue(m.find(), run.err());
    Path log = Path.of(m.group(1));
    assertTrue(log.startsWith(model.resolve(ModelDirectory.LOGS)), log.toString());
    String text = Files.readString(log);
    assertTrue(text.contains("\tat dev.rnnlm."), text);
  }
}
