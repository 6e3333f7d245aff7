package dev.rnnlm.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on this machine, bound to 127.0.0.1: a master and workers,
 * each its own JVM started from {@code target/lib} (the jars of a Spark installation), with a
 * Spark home of links to those jars in which the workers launch executor JVMs. Applications go
 * in through {@code org.apache.spark.deploy.SparkSubmit} in client mode, directly or through
 * {@code scripts/submit.sh}. Everything lives under one directory, whose path also marks the
 * processes of the cluster: {@link #close()} ends all of them.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://\\S+)");
  private static final Pattern APP_ID = Pattern.compile("app ID (app-[0-9]+-[0-9]+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path root;
  private final Path sparkHome;
  private final Path logs;
  private final List<Path> workDirs = new ArrayList<>();
  private final List<Long> workerPids = new ArrayList<>();
  private final ProcessGroup processes;
  private String masterUrl;

  private StandaloneCluster(Path root) {
    this.root = root.toAbsolutePath();
    this.sparkHome = this.root.resolve("spark-home");
    this.logs = this.root.resolve("logs");
    this.processes = new ProcessGroup(this.root.toString());
  }

  /**
   * Starts a master and {@code workers} workers of one core and 1 GiB each under {@code root} (an
   * empty directory the caller deletes later) and waits until every worker has registered.
   */
  public static StandaloneCluster start(Path root, int workers) throws IOException, InterruptedException {
    return start(root, workers, Map.of());
  }

  /**
   * As {@link #start(Path, int)}, with environment variables for some workers (by index), which
   * their executors inherit: {@code JAVA_TOOL_OPTIONS} gives one worker's executors other JVM
   * options than the rest.
   */
  public static StandaloneCluster start(Path root, int workers, Map<Integer, Map<String, String>> workerEnv)
      throws IOException, InterruptedException {
    StandaloneCluster cluster = new StandaloneCluster(root);
    try {
      cluster.layOutSparkHome();
      cluster.startDaemons(workers, workerEnv);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return masterUrl;
  }

  /** The cluster's Spark home: {@code jars/} (links to target/lib) and {@code bin/spark-submit}. */
  public Path sparkHome() {
    return sparkHome;
  }

  /** The processes of this cluster and of the applications submitted to it. */
  public ProcessGroup processes() {
    return processes;
  }

  /**
   * The live executor JVMs (of any application) of this cluster: the workers' children that run
   * the executor backend. (A process an executor forks, for a moment, shows the same command line.)
   */
  public List<ProcessHandle> executors() {
    return processes.find("org.apache.spark.executor.CoarseGrainedExecutorBackend").stream()
        .filter(h -> h.parent().map(parent -> workerPids.contains(parent.pid())).orElse(false))
        .toList();
  }

  /** Each executor's log ({@code stderr} in the worker's directory of the application), by executor id. */
  public List<Path> executorLogs(String appId) {
    List<Path> found = new ArrayList<>();
    for (Path work : workDirs) {
      Path app = work.resolve(appId);
      if (Files.isDirectory(app)) {
        try (Stream<Path> execs = Files.list(app)) {
          execs.map(e -> e.resolve("stderr")).filter(Files::exists).forEach(found::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    found.sort(null);
    return found;
  }

  /**
   * Runs {@code java ... org.apache.spark.deploy.SparkSubmit --master URL --deploy-mode client
   * [options] APP_JAR [appArgs]}, the driver in its own JVM, with the settings every run here
   * needs (127.0.0.1, no UI, Java options and one BLAS thread for the executors).
   */
  public Driver submit(String name, List<String> sparkSubmitOptions, List<String> appArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("--master", masterUrl, "--deploy-mode", "client"));
    args.addAll(localOnly());
    args.addAll(List.of(
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", Packaged.javaOpens()),
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1"));
    args.addAll(sparkSubmitOptions);
    args.add(Packaged.appJar().toString());
    args.addAll(appArgs);
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
    jvm.addAll(Packaged.javaOpens());
    return startDriver(name, ProcessGroup.javaCommand(jvm, sparkHome.resolve("jars") + "/*",
        "org.apache.spark.deploy.SparkSubmit", args));
  }

  /**
   * Runs {@code scripts/submit.sh --master URL [options] -- [appArgs]} with this cluster's Spark
   * home, whose {@code bin/spark-submit} has Spark's launcher build the driver's command, as a
   * Spark installation's does.
   */
  public Driver submitWithScript(String name, List<String> sparkSubmitOptions, List<String> appArgs)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash",
        Packaged.projectDir().resolve("scripts/submit.sh").toString(), "--master", masterUrl));
    cmd.addAll(localOnly());
    cmd.addAll(sparkSubmitOptions);
    cmd.add("--");
    cmd.addAll(appArgs);
    return startDriver(name, cmd);
  }

  /** Ends every process of the cluster and its applications, and removes the links to the jars. */
  @Override
  public void close() {
    try {
      processes.close();
    } finally {
      try (Stream<Path> links = Files.list(sparkHome.resolve("jars"))) {
        for (Path link : links.toList()) {
          Files.deleteIfExists(link);
        }
      } catch (IOException e) {
        // not laid out yet; the caller deletes the directory
      }
    }
  }

  private static List<String> localOnly() {
    return List.of(
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false");
  }

  private Driver startDriver(String name, List<String> command) throws IOException {
    Path out = logs.resolve(name + ".out");
    Path err = logs.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    environment(pb, true);
    return new Driver(processes.start(pb), out, err);
  }

  private void layOutSparkHome() throws IOException {
    Files.createDirectories(logs);
    Files.createDirectories(root.resolve("local"));
    layOutSparkHome(sparkHome, List.of(Packaged.sparkJars()));
  }

  /**
   * A Spark home at {@code sparkHome}: {@code jars/} with links to the jars of {@code jarDirs},
   * an empty {@code conf/}, and {@code bin/spark-submit}.
   */
  static void layOutSparkHome(Path sparkHome, List<Path> jarDirs) throws IOException {
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.createDirectories(sparkHome.resolve("bin"));
    for (Path dir : jarDirs) {
      try (Stream<Path> jars = Files.list(dir)) {
        for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
          Files.createSymbolicLink(sparkHome.resolve("jars").resolve(jar.getFileName()), jar);
        }
      }
    }
    // As a Spark installation's bin/spark-submit (through bin/spark-class): Spark's launcher
    // prints "\0\n" and then the driver's command, NUL-separated; that command is run.
    Path submit = sparkHome.resolve("bin/spark-submit");
    Files.writeString(submit, """
        #!/usr/bin/env bash
        set -euo pipefail
        java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
        out=()
        while IFS= read -r -d '' arg; do out+=("$arg"); done < <("$java" -Xmx128m \\
          -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "$@")
        if ((${#out[@]} < 2)); then
          echo "spark-submit: Spark's launcher built no command" >&2
          exit 1
        fi
        cmd=("${out[@]:1}")
        cmd[0]="${cmd[0]#$'\\n'}"
        exec "${cmd[@]}"
        """, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void startDaemons(int workers, Map<Integer, Map<String, String>> workerEnv)
      throws IOException, InterruptedException {
    String classpath = sparkHome.resolve("jars") + "/*";
    List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-Dspark.master.rest.enabled=false"));
    jvm.addAll(Packaged.javaOpens());
    Path masterLog = logs.resolve("master.log");
    ProcessBuilder master = new ProcessBuilder(ProcessGroup.javaCommand(jvm, classpath,
        "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0")))
        .redirectErrorStream(true).redirectOutput(masterLog.toFile());
    environment(master, false);
    Process masterProcess = processes.start(master);
    masterUrl = awaitLog(masterProcess, masterLog, MASTER_URL, "the master to start");

    List<Process> started = new ArrayList<>();
    List<Path> workerLogs = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Path work = Files.createDirectories(root.resolve("worker-" + i));
      workDirs.add(work);
      Path log = logs.resolve("worker-" + i + ".log");
      workerLogs.add(log);
      ProcessBuilder worker = new ProcessBuilder(ProcessGroup.javaCommand(jvm, classpath,
          "org.apache.spark.deploy.worker.Worker",
          List.of(masterUrl, "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
              "--webui-port", "0", "--work-dir", work.toString())))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      environment(worker, false);
      worker.environment().putAll(workerEnv.getOrDefault(i, Map.of()));
      Process workerProcess = processes.start(worker);
      started.add(workerProcess);
      workerPids.add(workerProcess.pid());
    }
    for (int i = 0; i < workers; i++) {
      awaitLog(started.get(i), workerLogs.get(i), Pattern.compile("Successfully registered with master"),
          "worker " + i + " to register");
    }
  }

  /** What every process of the cluster gets: its Spark home and 127.0.0.1; drivers one BLAS thread. */
  private void environment(ProcessBuilder pb, boolean driver) {
    Map<String, String> env = pb.environment();
    for (String inherited : List.of("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "YARN_CONF_DIR",
        "SPARK_MASTER_HOST", "SPARK_MASTER_PORT", "SPARK_WORKER_DIR", "SPARK_LOCAL_HOSTNAME")) {
      env.remove(inherited);
    }
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_DIRS", root.resolve("local").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    // Executors get theirs from spark.executorEnv only (a test checks that it arrives).
    env.remove("OPENBLAS_NUM_THREADS");
    if (driver) {
      env.put("OPENBLAS_NUM_THREADS", "1");
    }
  }

  private static String awaitLog(Process p, Path log, Pattern pattern, String what)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = pattern.matcher(read(log));
      if (m.find()) {
        return m.groupCount() > 0 ? m.group(1) : m.group();
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("gave up waiting for " + what + ": exited with "
            + p.exitValue() + "\n" + tail(log, 40));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out waiting for " + what + "\n" + tail(log, 40));
  }

  /** The last {@code lines} lines of a log file. */
  public static String tail(Path file, int lines) {
    try {
      List<String> all = read(file).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (UncheckedIOException e) {
      return "(" + file + " unreadable: " + e + ")";
    }
  }

  /** A driver JVM: its process, standard output (the program's) and standard error (Spark's log). */
  public static final class Driver {
    private final Process process;
    private final Path out;
    private final Path err;

    Driver(Process process, Path out, Path err) {
      this.process = process;
      this.out = out;
      this.err = err;
    }

    public Process process() {
      return process;
    }

    /** Waits for the driver to end and returns its exit code; fails on timeout (the group kills it). */
    public int waitFor(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new AssertionError("driver still running after " + timeout + "\n" + describe());
      }
      return process.exitValue();
    }

    /** Waits until a line of standard output matches; false when the driver ended first or time ran out. */
    public boolean awaitOutput(Predicate<String> line, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (stdout().lines().anyMatch(line)) {
          return true;
        }
        if (!process.isAlive()) {
          return stdout().lines().anyMatch(line);
        }
        Thread.sleep(50);
      }
      return false;
    }

    public String stdout() {
      return read(out);
    }

    public String stderr() {
      return read(err);
    }

    /** The application id the master gave this driver, once it has connected. */
    public Optional<String> appId() {
      Matcher m = APP_ID.matcher(stderr());
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Standard output and the end of the log, for failure messages. */
    public String describe() {
      return "--- stdout " + out + "\n" + tail(out, 30) + "\n--- stderr " + err + "\n" + tail(err, 60);
    }

  }

  /** A log file's text so far (malformed bytes replaced). */
  static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
