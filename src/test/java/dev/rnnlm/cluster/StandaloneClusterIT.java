package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.Checkpoints;
import dev.rnnlm.testutil.ProcessGroup;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.testutil.StandaloneCluster;
import dev.rnnlm.testutil.StandaloneCluster.Driver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on a real standalone cluster (a master and two one-core workers, each its own JVM,
 * bound to 127.0.0.1), submitted with the packaged application jar through Spark's
 * {@code SparkSubmit} in client mode. The cluster is shared by the tests of this class and
 * ended, with every executor and driver, after them; each test also ends its own driver.
 */
class StandaloneClusterIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;
  private static Path undisturbedModel;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
      assertTrue(cluster.processes().find().isEmpty(), "cluster processes left running");
    }
  }

  /**
   * The arguments of one small training run, the same for local Spark and the cluster:
   * {@code --master local[2]} is overridden by spark-submit's master.
   */
  private static List<String> trainArgs(Path model, int hidden, int epochs, int maxTokens) {
    return List.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--hidden", Integer.toString(hidden), "--batch", "8",
        "--steps", "10", "--epochs", Integer.toString(epochs), "--max-tokens", Integer.toString(maxTokens),
        "--sample-every", "0", "--partitions", "2", "--seed", "1", "--master", "local[2]");
  }

  /**
   * A 2-layer LSTM with a tied embedding, an adaptive softmax, dropout and Adam: dropout masks drawn on the executors
   * from (seed, epoch, step, partition) and the driver's optimizer state must give the same bits
   * as local Spark.
   */
  private static List<String> smallRun(Path model) {
    List<String> args = new ArrayList<>(trainArgs(model, 32, 3, 5000));
    args.addAll(List.of("--cell", "lstm", "--layers", "2", "--embedding", "32", "--tie-weights",
        "--softmax", "adaptive", "--cutoffs", "12,30", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01"));
    return args;
  }

  @Test
  void modelTrainedOnTwoExecutorJvmsIsByteIdenticalToLocal() throws Exception {
    Path local = tmp.resolve("local-model");
    Cli localRun = Cli.run(smallRun(local));
    assertEquals(0, localRun.exitCode(), localRun::toString);

    Path model = tmp.resolve("cluster-model");
    // No --class: spark-submit takes the main class from the jar's manifest.
    Driver driver = cluster.submit("undisturbed", List.of(), smallRun(model));
    Map<Long, String> executors;
    try {
      executors = watchExecutors(driver);
      assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    assertTrue(driver.stdout().contains("trained: "), driver::describe);

    // Two executors, each its own JVM, neither the driver's nor this test's, and both ran tasks.
    String appId = driver.appId().orElseThrow(() -> new AssertionError("no app id\n" + driver.describe()));
    Set<Long> executorPids = executorsOf(appId, executors).keySet();
    assertEquals(2, executorPids.size(), () -> "executor JVMs seen: " + executors + "\n" + driver.describe());
    assertFalse(executorPids.contains(driver.process().pid()));
    assertFalse(executorPids.contains(ProcessHandle.current().pid()));
    List<Path> logs = cluster.executorLogs(appId);
    assertEquals(2, logs.size(), () -> "executor logs: " + logs);
    for (Path log : logs) {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(text.contains("Running task"), () -> log + " ran no task");
      assertTrue(executorPids.stream().anyMatch(pid -> text.contains("process name: " + pid + "@")),
          () -> log + " is not from one of " + executorPids);
    }

    assertArrayEquals(parameters(local), parameters(model),
        "parameters trained on the cluster differ from local[2]");
    undisturbedModel = model;
  }

  @Test
  void trainingSurvivesAnExecutorKilledMidwayWithTheSameModel() throws Exception {
    Path model = tmp.resolve("disturbed-model");
    Driver driver = cluster.submit("disturbed", List.of(), smallRun(model));
    long killed;
    try {
      // After the first of three epochs, SIGKILL one executor JVM.
      assertTrue(driver.awaitOutput(line -> line.startsWith("epoch 1 "), RUN_TIMEOUT),
          () -> "no first epoch\n" + driver.describe());
      String appId = driver.appId().orElseThrow(() -> new AssertionError("no app id\n" + driver.describe()));
      List<ProcessHandle> executors = cluster.executors().stream()
          .filter(h -> ProcessGroup.commandLine(h).contains(" --app-id " + appId + " ")).toList();
      assertEquals(2, executors.size(), () -> "executors of " + appId + ": " + executors);
      ProcessHandle victim = executors.get(0);
      killed = victim.pid();
      assertTrue(victim.destroyForcibly(), "SIGKILL not sent");
      victim.onExit().get(30, TimeUnit.SECONDS);
      assertFalse(driver.stdout().contains("trained: "), "training ended before the kill");

      assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    String out = driver.stdout();
    assertTrue(out.contains("epoch 3 ") && out.contains("trained: "), driver::describe);
    String log = driver.stderr();
    assertTrue(log.contains("Lost executor"), () -> "the driver did not notice the loss\n" + driver.describe());
    // The killed executor had been running tasks (and held cached shards): its work was redone.
    String appId = driver.appId().orElseThrow();
    List<Path> victimLogs = new ArrayList<>();
    for (Path executorLog : cluster.executorLogs(appId)) {
      if (Files.readString(executorLog, StandardCharsets.UTF_8).contains("process name: " + killed + "@")) {
        victimLogs.add(executorLog);
      }
    }
    assertEquals(1, victimLogs.size(), () -> "no log of the killed executor " + killed);
    assertTrue(Files.readString(victimLogs.get(0), StandardCharsets.UTF_8).contains("Running task"));

    assertArrayEquals(parameters(undisturbedModel()), parameters(model),
        "parameters after losing an executor differ from the undisturbed run");
  }

  /**
   * The driver itself (spark-submit's JVM, client mode) SIGKILLed twice after random
   * checkpoints and resumed each time with --resume ends with the undisturbed run's parameters,
   * byte for byte: the optimizer's moments and step count come back from the checkpoints, the
   * dropout masks are drawn again on the executors from the same seeds.
   */
  @Test
  void aDriverKilledTwiceAndResumedEndsByteIdenticalToTheUndisturbedRun() throws Exception {
    Path model = tmp.resolve("resumed-model");
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long firstKill = 10 + random.nextInt(40);   // global steps of about 180
    long secondKill = firstKill + 30 + random.nextInt(60);
    System.out.printf("kill seed %d: after checkpoints at steps >= %d and >= %d%n", seed, firstKill, secondKill);
    killAfterCheckpoint("killed-once", model, false, firstKill);
    killAfterCheckpoint("killed-twice", model, true, secondKill);
    Driver last = cluster.submit("resumed", List.of(), resumable(model, true));
    try {
      assertEquals(0, last.waitFor(RUN_TIMEOUT), last::describe);
    } finally {
      last.process().destroyForcibly();
    }
    assertTrue(last.stdout().contains("resume: from"), last::describe);
    assertArrayEquals(parameters(undisturbedModel()), parameters(model),
        "parameters after two driver kills and resumes differ from the undisturbed run");
  }

  /** The small run with a checkpoint every 5 steps, resuming or not. */
  private static List<String> resumable(Path model, boolean resume) {
    List<String> args = new ArrayList<>(smallRun(model));
    args.addAll(List.of("--checkpoint-every-steps", "5"));
    if (resume) {
      args.add("--resume");
    }
    return args;
  }

  /** Submits the run and SIGKILLs its driver once a checkpoint at or after {@code step} exists. */
  private static void killAfterCheckpoint(String name, Path model, boolean resume, long step) throws Exception {
    Driver driver = cluster.submit(name, List.of(), resumable(model, resume));
    try {
      long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
      while (Checkpoints.newestStep(model) < step) {
        assertTrue(driver.process().isAlive() && System.nanoTime() < deadline,
            () -> "no checkpoint at step " + step + " or later\n" + driver.describe());
        Thread.sleep(20);
      }
      assertTrue(driver.process().toHandle().destroyForcibly(), "SIGKILL not sent");
      driver.process().waitFor(30, TimeUnit.SECONDS);
      assertFalse(driver.stdout().contains("trained: "), "training ended before the kill");
    } finally {
      driver.process().destroyForcibly();
    }
  }

  /**
   * Subwords of a BPE learned from the text: the pre-tokens are counted by the executors and
   * the text is encoded there by the tokenizers library (in the application jar); the tokenizer
   * and the parameters equal local Spark's.
   */
  @Test
  void aBpeModelTrainedOnTheClusterIsByteIdenticalToLocal() throws Exception {
    Path local = tmp.resolve("bpe-local");
    List<String> bpe = List.of("--tokens", "bpe", "--vocab-size", "500", "--embedding", "32", "--cell", "gru",
        "--optimizer", "adam", "--lr", "0.01");
    List<String> localArgs = new ArrayList<>(trainArgs(local, 32, 2, 5000));
    localArgs.addAll(bpe);
    Cli localRun = Cli.run(localArgs);
    assertEquals(0, localRun.exitCode(), localRun::toString);

    Path model = tmp.resolve("bpe-cluster");
    List<String> clusterArgs = new ArrayList<>(trainArgs(model, 32, 2, 5000));
    clusterArgs.addAll(bpe);
    Driver driver = cluster.submit("bpe", List.of(), clusterArgs);
    try {
      assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    assertTrue(driver.stdout().contains("bpe: learned 244 merges"), driver::describe);
    assertArrayEquals(Files.readAllBytes(local.resolve("tokenizer.json")), Files.readAllBytes(model.resolve("tokenizer.json")));
    assertArrayEquals(parameters(local), parameters(model), "parameters trained on the cluster differ from local[2]");
  }

  @Test
  void parametersOverOneMebibyteTravelByBroadcastNotInTasks() throws Exception {
    // H=512 over the sample's 72 tokens: 336,456 float32 parameters, 1.35 MB. With
    // spark.rpc.message.maxSize=1 (MiB) every task message must stay under 1 MiB and the
    // partitions' gradients (as large as the parameters) must come back through the block
    // manager. Spark ships a stage's function (the task closure) as a broadcast "task binary"
    // and warns when one exceeds 1000 KiB: parameters captured in a closure would show there.
    Path model = tmp.resolve("large-model");
    Driver driver = cluster.submitWithScript("large",
        List.of("--conf", "spark.rpc.message.maxSize=1"), trainArgs(model, 512, 1, 2000));
    Map<Long, String> executors;
    Map<Long, String> environments = new HashMap<>();
    StringBuilder driverCommand = new StringBuilder();
    try {
      executors = watchExecutors(driver, h -> environments.computeIfAbsent(h.pid(), pid -> environment(h)),
          () -> {
            String cmd = ProcessGroup.commandLine(driver.process().toHandle());
            if (cmd.contains("SparkSubmit") && driverCommand.isEmpty()) {
              driverCommand.append(cmd);
            }
          });
      assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
    } finally {
      driver.process().destroyForcibly();
    }
    assertTrue(Files.size(model.resolve("parameters.bin")) > 1 << 20, "model smaller than 1 MiB");
    String log = driver.stderr();
    assertFalse(log.contains("exceeds max allowed"), driver::describe);
    assertFalse(log.contains("Broadcasting large task binary"), "parameters inside a task closure:\n"
        + log.lines().filter(l -> l.contains("large task binary")).toList());
    assertFalse(log.contains("task of very large size"), driver::describe);
    String appId = driver.appId().orElseThrow(() -> new AssertionError("no app id\n" + driver.describe()));
    boolean viaBlockManager = false;
    for (Path executorLog : cluster.executorLogs(appId)) {
      viaBlockManager |= Files.readString(executorLog, StandardCharsets.UTF_8)
          .contains("result sent via BlockManager");
    }
    assertTrue(viaBlockManager, "no task result went through the block manager: the 1 MiB limit was not in force");

    // scripts/submit.sh passed the Java options to driver and executors, and one BLAS thread.
    String ownOption = "-Djdk.reflect.useDirectMethodHandle=false"; // not among Spark's defaults
    assertTrue(driverCommand.toString().contains(ownOption), "driver: " + driverCommand);
    Map<Long, String> mine = executorsOf(appId, executors);
    assertEquals(2, mine.size(), () -> "executors: " + executors);
    mine.forEach((pid, cmd) -> {
      assertTrue(cmd.contains(ownOption), "executor: " + cmd);
      assertTrue(environments.get(pid).contains("\0OPENBLAS_NUM_THREADS=1\0"),
          "executor environment lacks OPENBLAS_NUM_THREADS=1");
    });
  }

  /** The undisturbed cluster run's model (trained here when the test that makes it has not run). */
  private static synchronized Path undisturbedModel() throws IOException, InterruptedException {
    if (undisturbedModel == null) {
      Path model = tmp.resolve("undisturbed-model");
      Driver driver = cluster.submit("undisturbed-again", List.of(), smallRun(model));
      try {
        assertEquals(0, driver.waitFor(RUN_TIMEOUT), driver::describe);
      } finally {
        driver.process().destroyForcibly();
      }
      undisturbedModel = model;
    }
    return undisturbedModel;
  }

  /** Polls the cluster's executor JVMs until the driver ends: pid to command line, all seen. */
  private static Map<Long, String> watchExecutors(Driver driver) throws InterruptedException {
    return watchExecutors(driver, h -> { }, () -> { });
  }

  private static Map<Long, String> watchExecutors(Driver driver, Consumer<ProcessHandle> onExecutor,
                                                  Runnable onPoll) throws InterruptedException {
    Map<Long, String> seen = new LinkedHashMap<>();
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (driver.process().isAlive() && System.nanoTime() < deadline) {
      for (ProcessHandle h : cluster.executors()) {
        String cmd = ProcessGroup.commandLine(h);
        if (!cmd.isEmpty() && seen.putIfAbsent(h.pid(), cmd) == null) {
          onExecutor.accept(h);
        }
      }
      onPoll.run();
      Thread.sleep(100);
    }
    return seen;
  }

  /** The executors (pid to command line) that ran for application {@code appId}. */
  private static Map<Long, String> executorsOf(String appId, Map<Long, String> executors) {
    Map<Long, String> mine = new LinkedHashMap<>(executors);
    mine.values().removeIf(cmd -> !cmd.contains(" --app-id " + appId + " "));
    return mine;
  }

  private static byte[] parameters(Path model) throws IOException {
    return Files.readAllBytes(model.resolve("parameters.bin"));
  }

  /** A process's environment, NUL-separated with a NUL at both ends; empty when unreadable. */
  private static String environment(ProcessHandle h) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ"));
      return "\0" + new String(raw, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
