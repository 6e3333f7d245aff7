package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Training across hosts joined by a network, and the network's faults: {@code scripts/netcluster.sh}
 * makes a driver host and three one-core worker hosts, each a network namespace with its own
 * address and a 1 Gbit/s link, with a standalone master on the driver host and a worker on each
 * other; the program runs through {@code spark-submit} on the driver host. Each run must end with
 * the parameters of the same training on local Spark.
 *
 * <p>Spark's timeouts are shortened (10 s without a heartbeat loses an executor, instead of 120 s)
 * so that a fault shows within the test's time. Needs root, iproute2 and nftables ({@code .ci/run}
 * installs them); where network namespaces cannot be made, the tests are skipped with the reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkFaultsIT {
  private static final Path SCRIPT = Path.of("scripts", "netcluster.sh").toAbsolutePath();
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
  private static final List<String> SHORT_TIMEOUTS = List.of(
      "--conf", "spark.network.timeout=10s", "--conf", "spark.network.timeoutInterval=5s",
      "--conf", "spark.executor.heartbeatInterval=2s");

  /** The runs' models and outputs, kept for a look after a failure. */
  private static final Path tmp = Path.of("target", "network-faults").toAbsolutePath();
  private static byte[] undisturbed;

  @BeforeAll
  static void startClusterAndTrainLocally() throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("target", "spark-rnn-lm.jar")), "needs the packaged jar (mvn verify)");
    Assumptions.assumeFalse(Files.exists(Path.of("/run/rnnlm-netcluster")),
        "a test cluster is up already (scripts/netcluster.sh down ends it)");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    Result up = script(Duration.ofMinutes(1), "up", "3", "lan");
    if (up.exitCode() != 0) {
      script(Duration.ofMinutes(1), "down");
      // netcluster.sh names what it lacks (root, iproute2, namespaces) on its last line.
      Assumptions.abort("no network namespaces here: " + up.lastLine());
    }
    Result spark = script(Duration.ofMinutes(2), "spark");
    assertEquals(0, spark.exitCode(), spark.output());

    Path local = tmp.resolve("local");
    List<String> args = new ArrayList<>(trainArgs(local));
    args.addAll(List.of("--master", "local[3]"));
    Cli run = Cli.run(args);
    assertEquals(0, run.exitCode(), run.toString());
    undisturbed = Files.readAllBytes(local.resolve("parameters.bin"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    script(Duration.ofMinutes(1), "down");
  }

  /**
   * A small GRU on the sample texts, 3 partitions (one per worker), 3 epochs of 66 steps and a
   * checkpoint every 20 steps.
   */
  private static List<String> trainArgs(Path model) {
    return List.of("train", "--input", SparkTestContext.sampleData().toString(), "--model", model.toString(),
        "--cell", "gru", "--hidden", "48", "--epochs", "3", "--partitions", "3", "--seed", "3",
        "--sample-every", "0", "--checkpoint-every-steps", "20");
  }

  @Test
  @Order(1)
  void aWorkersLinkCutFor30sLosesItsExecutorAndTheRunEndsWithTheUndisturbedParameters() throws Exception {
    Path model = tmp.resolve("worker-cut");
    Submission run = Submission.start(tmp.resolve("worker-cut.out"), trainArgs(model));
    run.awaitLine("epoch 1 perplexity");
    script(Duration.ofSeconds(10), "cut", "w2");
    Thread.sleep(30_000);
    script(Duration.ofSeconds(10), "heal", "w2");
    Result r = run.await();
    assertEquals(0, r.exitCode(), r.tail());
    assertTrue(r.output().matches("(?s).*Lost executor \\d+ on 10\\.213\\.0\\.12.*"),
        "the cut worker's executor was not lost, so the cut tested nothing:\n" + r.tail());
    assertArrayEquals(undisturbed, Files.readAllBytes(model.resolve("parameters.bin")));
  }

  @Test
  @Order(2)
  void theDriversLinkCutFailsTheRunWithOneLineNamingTheLostExecutorsAndResumeEndsWithTheUndisturbedParameters()
      throws Exception {
    Path model = tmp.resolve("driver-cut");
    Submission run = Submission.start(tmp.resolve("driver-cut.out"), trainArgs(model));
    run.awaitLine("epoch 1 perplexity");
    Thread.sleep(1_000);
    script(Duration.ofSeconds(10), "cut", "driver");
    Result failed;
    try {
      // 10 s to lose the executors, 10 s more for none to come back, then the run's end.
      failed = run.await(Duration.ofMinutes(1));
    } finally {
      script(Duration.ofSeconds(10), "heal", "driver");
    }
    assertNotEquals(0, failed.exitCode(), failed.tail());
    String line = failed.lastLine();
    Matcher lost = Pattern.compile("^error: lost every executor \\((.*?): .*--resume").matcher(line);
    assertTrue(lost.find(), line);
    for (String host : List.of("10.213.0.11", "10.213.0.12", "10.213.0.13")) {
      assertTrue(lost.group(1).contains(" on " + host), host + " missing from: " + line);
    }

    List<String> resume = new ArrayList<>(trainArgs(model));
    resume.add("--resume");
    Result resumed = Submission.start(tmp.resolve("driver-cut-resume.out"), resume).await();
    assertEquals(0, resumed.exitCode(), resumed.tail());
    assertTrue(resumed.output().contains("resume: from"), resumed.tail());
    assertArrayEquals(undisturbed, Files.readAllBytes(model.resolve("parameters.bin")));
  }

  @Test
  @Order(3)
  void onePercentPacketLossForAWholeRunEndsWithTheUndisturbedParameters() throws Exception {
    Path model = tmp.resolve("lossy");
    script(Duration.ofSeconds(10), "loss", "1");
    Result r;
    String dropped;
    try {
      r = Submission.start(tmp.resolve("lossy.out"), trainArgs(model)).await();
    } finally {
      dropped = script(Duration.ofSeconds(10), "exec", "driver", "nft", "list", "table", "inet", "rnnlm").output();
      script(Duration.ofSeconds(10), "loss", "0");
    }
    assertEquals(0, r.exitCode(), r.tail());
    Matcher packets = Pattern.compile("counter packets (\\d+)").matcher(dropped);
    assertTrue(packets.find() && Long.parseLong(packets.group(1)) > 0, "no packet was dropped:\n" + dropped);
    assertArrayEquals(undisturbed, Files.readAllBytes(model.resolve("parameters.bin")));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** A finished command: its exit code and its output (stdout and stderr together). */
  record Result(int exitCode, String output) {
    String lastLine() {
      String[] lines = output.strip().split("\n");
      return lines[lines.length - 1];
    }

    /** The last lines, for a failure's message. */
    String tail() {
      String[] lines = output.split("\n");
      return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }
  }

  private static Result script(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "netcluster", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("netcluster.sh " + String.join(" ", args) + " took over " + timeout);
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  /** The program submitted from the driver host, its output going to a file. */
  private record Submission(Process process, Path out) {
    static Submission start(Path out, List<String> command) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), "submit"));
      cmd.addAll(SHORT_TIMEOUTS);
      cmd.add("--");
      cmd.addAll(command);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      return new Submission(p, out);
    }

    /** Waits until the output has a line starting with {@code prefix}. */
    void awaitLine(String prefix) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
      Pattern line = Pattern.compile("(?m)^" + Pattern.quote(prefix));
      while (!line.matcher(Files.readString(out, StandardCharsets.UTF_8)).find()) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("no line '" + prefix + "' from the run:\n" + await().tail());
        }
        Thread.sleep(200);
      }
    }

    Result await() throws IOException, InterruptedException {
      return await(RUN_TIMEOUT);
    }

    Result await(Duration timeout) throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        return new Result(-1, Files.readString(out, StandardCharsets.UTF_8) + "\n(killed after " + timeout + ")");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
  }
}
