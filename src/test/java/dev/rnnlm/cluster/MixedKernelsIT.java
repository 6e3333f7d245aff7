package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.testutil.StandaloneCluster;
import dev.rnnlm.testutil.StandaloneCluster.Driver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone cluster whose second worker's executors run without the native recurrent kernel
 * (-Drnnlm.native=false through JAVA_TOOL_OPTIONS, which the executor JVMs inherit): a run on it
 * would compute other bits depending on where each task ran, so train refuses it.
 */
class MixedKernelsIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2,
        Map.of(1, Map.of("JAVA_TOOL_OPTIONS", "-Drnnlm.native=false")));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> train(Path model, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--hidden", "32", "--batch", "8", "--steps", "10", "--epochs", "3",
        "--max-tokens", "5000", "--sample-every", "0", "--partitions", "2", "--seed", "1"));
    args.addAll(List.of(extra));
    return args;
  }

  private static List<String> errorLines(Driver driver) {
    return (driver.stdout() + driver.stderr()).lines().filter(l -> l.startsWith("error:")).toList();
  }

  @Test
  void aRunWhoseExecutorsComputeWithDifferentKernelsIsRefusedNamingThem() throws Exception {
    Path model = tmp.resolve("refused");
    Driver driver = cluster.submit("mixed", List.of(), train(model));
    try {
      assertEquals(1, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    List<String> errors = errorLines(driver);
    assertEquals(1, errors.size(), driver::describe);
    String error = errors.get(0);
    System.out.println("refused: " + error);
    assertTrue(error.startsWith("error: the executors of this run compute with different kernels: ["), error);
    // AVX-512 or AVX2 tiles, whichever this CPU runs: the same bits, so one name for both.
    assertTrue(error.contains("recurrent products native panels] on executor "), error);
    assertTrue(error.contains("recurrent products BLAS (disabled by -Drnnlm.native=false)] on executor "), error);
    assertTrue(error.contains("--allow-mixed-kernels"), error);
    assertFalse(Files.exists(model.resolve("model.json")), "no model from a refused run");
  }

  @Test
  void allowMixedKernelsTrainsAndWarnsOnce() throws Exception {
    Path model = tmp.resolve("allowed");
    Driver driver = cluster.submit("mixed-allowed", List.of(), train(model, "--allow-mixed-kernels"));
    try {
      assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    long warnings = driver.stdout().lines()
        .filter(l -> l.startsWith("warning: the executors of this run compute with different kernels")).count();
    assertEquals(1, warnings, driver::describe);
    assertTrue(Files.exists(model.resolve("model.json")));
  }
}
