package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.SparkTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints are written in the background, yet a checkpoint that cannot be written still stops the run. */
class CheckpointWriteFailureTest {
  @TempDir
  Path work;

  @Test
  void aCheckpointThatCannotBeWrittenStopsTheRunNamingTheLastGoodOne() throws Exception {
    Path model = work.resolve("m");
    CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of("train",
        "--input", SparkTestContext.sampleData().toString(), "--model", model.toString(),
        "--epochs", "400", "--hidden", "16", "--batch", "8", "--steps", "10", "--max-tokens", "3000",
        "--sample-every", "0"));
    Path checkpoints = model.resolve("checkpoints");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!hasCheckpoint(checkpoints) && System.nanoTime() < deadline && !run.isDone()) {
      Thread.sleep(5);
    }
    assertTrue(hasCheckpoint(checkpoints), "a first checkpoint was written");
    // The checkpoints directory becomes a file: every later checkpoint fails to write.
    Path moved = Files.move(checkpoints, work.resolve("earlier-checkpoints"));
    Files.writeString(checkpoints, "in the way");

    CliRun result = run.get(120, TimeUnit.SECONDS);
    assertEquals(Main.FAILED, result.exitCode(), result.out());
    assertEquals(1, result.err().lines().count(), result.err());
    assertTrue(result.err().matches("(?s)error: writing checkpoint at step \\d+ failed: .*; last good checkpoint: "
        + java.util.regex.Pattern.quote(checkpoints.toString()) + "/step-\\d+ \\(details: .*\\)\\s*"), result.err());
    assertFalse(Files.exists(model.resolve(ModelStore.MODEL_FILE)), "no final model after a failed checkpoint");
    assertTrue(hasCheckpoint(moved));
  }

  private static boolean hasCheckpoint(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(e -> e.getFileName().toString().startsWith("step-"));
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
