package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.testutil.StandaloneCluster.Driver;
import dev.rnnlm.testutil.YarnCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on YARN: a ResourceManager and a NodeManager (Hadoop's MiniYARNCluster) whose
 * containers are JVMs of their own, and {@code scripts/submit.sh --master yarn} of the packaged
 * jar with a Spark home of {@code target/lib} and spark-yarn. The model equals the one the same
 * command trains on {@code local[2]}.
 */
class YarnIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
  /** Spark's log line of an executor JVM: {@code Started daemon with process name: PID@HOST}. */
  private static final Pattern PROCESS_NAME = Pattern.compile("process name: ([0-9]+)@");

  /** Kept when a test fails: the containers' logs are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;
  private static YarnCluster cluster;
  private static Path localModel;

  @BeforeAll
  static void startCluster() throws Exception {
    // The ResourceManager and NodeManager log every container's life at INFO; errors still show.
    Configurator.setLevel("org.apache.hadoop", Level.ERROR);
    cluster = YarnCluster.start(tmp.resolve("yarn"), YarnIT.class.getSimpleName());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      Configurator.setLevel("org.apache.hadoop", Level.OFF); // its threads complain of being stopped
      try {
        cluster.close();
      } finally {
        Configurator.setLevel("org.apache.hadoop", Level.WARN);
      }
    }
  }

  /**
   * A small run (2-layer LSTM, dropout drawn on the executors, Adam on the driver) on two
   * partitions; {@code --master local[2]} applies when spark-submit sets no master.
   */
  private static List<String> train(Path model) {
    return List.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--cell", "lstm", "--layers", "2", "--hidden", "32",
        "--embedding", "32", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01",
        "--batch", "8", "--steps", "10", "--epochs", "2", "--max-tokens", "1600",
        "--sample-every", "0", "--partitions", "2", "--seed", "1", "--master", "local[2]");
  }

  /** Two executors of one core and 512 MiB; the application master 256 MiB, or in cluster mode as the driver 512 MiB. */
  private static List<String> resources(String deployMode) {
    return List.of("--deploy-mode", deployMode, "--num-executors", "2", "--executor-cores", "1",
        "--executor-memory", "512m", "--driver-memory", "512m", "--conf", "spark.yarn.am.memory=256m");
  }

  /** The same command on {@code local[2]}, in this JVM. */
  private static synchronized Path localModel() {
    if (localModel == null) {
      Path model = tmp.resolve("local-model");
      Cli run = Cli.run(train(model));
      assertEquals(0, run.exitCode(), run::toString);
      localModel = model;
    }
    return localModel;
  }

  /** {@code train} into {@code model} submitted in {@code mode}; spark-submit has exited 0. */
  private Driver submitted(String mode, Path model) throws Exception {
    Driver driver = cluster.submit(mode, resources(mode), train(model));
    try {
      assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    return driver;
  }

  @Test
  void clientModeTrainsOnTwoYarnExecutorContainersTheModelOfLocalMaster() throws Exception {
    Path model = tmp.resolve("client-model");
    Driver driver = submitted("client", model);
    assertTrue(driver.stdout().contains("trained: "), driver::describe);
    String appId = YarnCluster.appId(driver).orElseThrow(() -> new AssertionError("no application\n" + driver.describe()));
    assertSucceeded(appId);

    // Three containers: the application master (in client mode Spark's executor launcher) and
    // two executors, JVMs other than the driver's and this one's, each of which ran tasks.
    List<Path> containers = cluster.containerLogDirs(appId);
    assertEquals(3, containers.size(), () -> "containers: " + containers);
    assertRan(containers.get(0), "org.apache.spark.deploy.yarn.ExecutorLauncher");
    Set<Long> pids = new HashSet<>(List.of(driver.process().pid(), ProcessHandle.current().pid()));
    for (Path container : containers.subList(1, 3)) {
      assertRanTasks(container, appId);
      String log = read(container.resolve("stderr"));
      assertTrue(pids.add(pid(container, log)),
          () -> container + ": the JVM of the driver, of this test or of the other executor");
    }

    assertArrayEquals(parameters(localModel()), parameters(model), "parameters trained on YARN differ from local[2]");
  }

  @Test
  void clusterModeTrainsInTheApplicationMasterContainerTheModelOfLocalMaster() throws Exception {
    Path model = tmp.resolve("cluster-model");
    Driver submitter = submitted("cluster", model);
    String appId = YarnCluster.appId(submitter)
        .orElseThrow(() -> new AssertionError("no application\n" + submitter.describe()));
    assertSucceeded(appId);

    // The program ran in the application master's container, not in spark-submit, which only
    // followed the application; the two executors ran its tasks.
    assertFalse(submitter.stdout().contains("trained: "), submitter::describe);
    List<Path> containers = cluster.containerLogDirs(appId);
    assertEquals(3, containers.size(), () -> "containers: " + containers);
    Path am = containers.get(0);
    assertRan(am, "org.apache.spark.deploy.yarn.ApplicationMaster");
    assertTrue(read(am.resolve("launch_container.sh")).contains("--class 'dev.rnnlm.cli.Main'"), am::toString);
    String amOut = read(am.resolve("stdout"));
    assertTrue(amOut.contains("trained: "), () -> am + "/stdout:\n" + amOut);
    for (Path container : containers.subList(1, 3)) {
      assertRanTasks(container, appId);
    }

    assertArrayEquals(parameters(localModel()), parameters(model), "parameters trained on YARN differ from local[2]");
  }

  /** The container's command (its launch_container.sh) ran {@code mainClass}. */
  private static void assertRan(Path container, String mainClass) throws IOException {
    String script = read(container.resolve("launch_container.sh"));
    assertTrue(script.contains(" " + mainClass + " "), () -> container + " did not run " + mainClass + ":\n" + script);
  }

  /** The container ran an executor of the application, and that executor ran tasks. */
  private static void assertRanTasks(Path container, String appId) throws IOException {
    assertRan(container, "org.apache.spark.executor.YarnCoarseGrainedExecutorBackend");
    assertTrue(read(container.resolve("launch_container.sh")).contains("--app-id " + appId + " "),
        () -> container + " is not an executor of " + appId);
    assertTrue(read(container.resolve("stderr")).contains("Running task"), () -> container + " ran no task");
  }

  /** The ResourceManager saw the application end as FINISHED, SUCCEEDED, a Spark application. */
  private static void assertSucceeded(String appId) throws IOException, InterruptedException {
    ApplicationReport report = cluster.finalReport(appId, Duration.ofSeconds(30));
    assertEquals(YarnApplicationState.FINISHED, report.getYarnApplicationState(), report::toString);
    assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report::toString);
    assertEquals("SPARK", report.getApplicationType(), report::toString);
  }

  private static long pid(Path container, String log) {
    Matcher m = PROCESS_NAME.matcher(log);
    assertTrue(m.find(), () -> container + " names no process");
    return Long.parseLong(m.group(1));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static byte[] parameters(Path model) throws IOException {
    return Files.readAllBytes(model.resolve("parameters.bin"));
  }
}
