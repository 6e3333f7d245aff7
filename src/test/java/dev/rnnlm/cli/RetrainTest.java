package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled retraining against a registry: promotion, rejection, locking, registry as model. */
class RetrainTest {
  @TempDir
  Path work;

  private CliRun retrain(Path registry, String input, String... extra) {
    List<String> args = new ArrayList<>(List.of("retrain", "--registry", registry.toString(),
        "--input", input, "--epochs", "1", "--hidden", "32", "--batch", "8", "--steps", "10",
        "--max-tokens", "6000", "--sample-every", "0"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String current(Path registry) throws IOException {
    return Files.readString(registry.resolve("CURRENT")).strip();
  }

  @Test
  void helpShowsRetrainsOwnDefaultsNotTrains() {
    CliRun run = CliRun.of("retrain", "--help");
    assertEquals(0, run.exitCode(), run.err());
    String epochs = helpLine(run.out(), "--epochs");
    assertTrue(epochs.endsWith("[10]"), epochs);
    String valFraction = helpLine(run.out(), "--val-fraction");
    assertTrue(valFraction.endsWith("[0.1 without --val]"), valFraction);
    String train = helpLine(CliRun.of("train", "--help").out(), "--epochs");
    assertTrue(train.endsWith("[500]"), train);
  }

  /** The help line of an option, with its continuation lines joined. */
  private static String helpLine(String help, String option) {
    String[] lines = help.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().startsWith(option + " ")) {
        StringBuilder b = new StringBuilder(lines[i].strip());
        for (int j = i + 1; j < lines.length && !lines[j].strip().startsWith("--"); j++) {
          b.append(' ').append(lines[j].strip());
        }
        return b.toString();
      }
    }
    throw new AssertionError(option + " not in " + help);
  }

  @Test
  void firstRunPromotesThenWarmStartsAndRejectsAWorseModel() throws IOException {
    Path registry = work.resolve("reg");
    String sample = SparkTestContext.sampleData().toString();
    CliRun first = retrain(registry, sample);
    assertEquals(0, first.exitCode(), first.err() + first.out());
    assertEquals("v000001", current(registry));
    String provenance = Files.readString(registry.resolve("versions/v000001/provenance.json"));
    for (String key : List.of("input_files", "config", "started", "finished", "val_perplexity")) {
      assertTrue(provenance.contains("\"" + key + "\""), key + " in " + provenance);
    }

    // New text with a character the vocabulary has never seen.
    Path extra = Files.writeString(work.resolve("new.txt"),
        Files.readString(SparkTestContext.sampleData().resolve("clockmaker.txt")).replace('e', 'Ж'));
    CliRun second = retrain(registry, extra.toString(), "--tolerance", "0.5");
    assertEquals(0, second.exitCode(), second.err() + second.out());
    assertTrue(second.out().matches("(?s).*warm start: vocabulary of \\d+ fixed; [1-9]\\d* training tokens unknown to it map to <unk>.*"),
        second.out());
    assertEquals("v000002", current(registry));

    // A learning rate this large wrecks the warm-started model: it must not be promoted.
    CliRun worse = retrain(registry, sample, "--lr", "200", "--clip", "50");
    assertEquals(RetrainCommand.NOT_PROMOTED, worse.exitCode(), worse.err() + worse.out());
    assertTrue(worse.out().contains("not promoted"), worse.out());
    assertEquals("v000002", current(registry));
    assertTrue(Files.isDirectory(registry.resolve("versions/v000003")), "the rejected version is kept for inspection");

    // The registry works wherever a model directory does.
    CliRun generated = CliRun.of("generate", "--model", registry.toString(), "--prefix", "The", "--length", "20");
    assertEquals(0, generated.exitCode(), generated.err());
    CliRun inspected = CliRun.of("inspect", "--model", registry.toString());
    assertEquals(0, inspected.exitCode(), inspected.err());
    CliRun evaluated = CliRun.of("evaluate", "--model", registry.toString(), "--input", extra.toString());
    assertEquals(0, evaluated.exitCode(), evaluated.err());
  }

  @Test
  void aLiveLockStopsASecondRetrainAtOnceAndAStaleLockIsTakenOver() throws Exception {
    Path registry = Files.createDirectories(work.resolve("reg"));
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Files.writeString(registry.resolve(".lock"), "pid=" + ProcessHandle.current().pid() + "\nhost=" + host + "\n");
    CliRun locked = retrain(registry, SparkTestContext.sampleData().toString());
    assertEquals(Main.LOCKED, locked.exitCode(), locked.out());
    assertTrue(locked.err().contains("in use by another run (pid " + ProcessHandle.current().pid() + " on " + host), locked.err());
    assertFalse(Files.exists(registry.resolve("CURRENT")));

    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(registry.resolve(".lock"), "pid=" + gone.pid() + "\nhost=" + host + "\n");
    CliRun takeover = retrain(registry, SparkTestContext.sampleData().toString());
    assertEquals(0, takeover.exitCode(), takeover.err() + takeover.out());
    assertTrue(takeover.out().contains("stale lock"), takeover.out());
    assertFalse(Files.exists(registry.resolve(".lock")), "the lock is released");
  }
}
