package dev.rnnlm.testutil;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A YARN cluster on this machine: Hadoop's MiniYARNCluster, a ResourceManager and one
 * NodeManager in this JVM, whose containers are processes of their own ({@code bash
 * launch_container.sh}, then {@code java}), sized for a small machine. Its client configuration
 * is written to a directory for {@code HADOOP_CONF_DIR}, and applications go in through
 * {@code scripts/submit.sh} with a Spark home of {@code target/lib} and {@code target/yarn-lib}
 * (a YARN-enabled Spark installation's {@code jars/}).
 *
 * <p>Everything, the containers' directories included, lives under one directory.
 */
public final class YarnCluster implements AutoCloseable {
  private static final Pattern APP_ID = Pattern.compile("Submitted application (application_[0-9]+_[0-9]+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** The NodeManager's memory: an application master and two executors of 896 MiB each (512m + 384m overhead), with room. */
  private static final int NODE_MEMORY_MB = 4096;

  private final Path root;
  private final Path sparkHome;
  private final Path confDir;
  private final Path logs;
  private final MiniYARNCluster yarn;
  private final ProcessGroup processes;
  private YarnClient client;

  private YarnCluster(Path root, String name) {
    this.root = root.toAbsolutePath();
    this.sparkHome = this.root.resolve("spark-home");
    this.confDir = this.root.resolve("hadoop-conf");
    this.logs = this.root.resolve("logs");
    this.yarn = miniYarnClusterUnder(this.root.resolve("yarn"), name);
    // Marks the containers' processes (their log and working directories are under it) and so
    // also finds a container the NodeManager left behind.
    this.processes = new ProcessGroup(yarn.getTestWorkDir().getAbsolutePath());
  }

  /**
   * A MiniYARNCluster with its directories (the containers' working and log directories) in
   * {@code dir/NAME/yarn-N/}: Hadoop's test directory is the system property
   * {@code test.build.data} (default {@code target/test/data}) while the cluster is made.
   */
  private static MiniYARNCluster miniYarnClusterUnder(Path dir, String name) {
    String key = "test.build.data";
    String previous = System.getProperty(key);
    System.setProperty(key, dir.toString());
    try {
      return new MiniYARNCluster(name, 1, 1, 1);
    } finally {
      if (previous == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, previous);
      }
    }
  }

  /** {@code target/yarn-lib}: spark-yarn, which {@code target/lib} lacks. */
  public static Path yarnJars() {
    Path p = Paths.get(System.getProperty("rnnlm.yarnJars", "target/yarn-lib")).toAbsolutePath();
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException(p + " not found: build it with mvn package (mvn verify runs these tests after it)");
    }
    return p;
  }

  /**
   * Starts a ResourceManager and one NodeManager ({@code name}: MiniYARNCluster's directory under
   * {@code target/}), writes their configuration to {@code root/hadoop-conf} and lays out the
   * Spark home under {@code root} (an empty directory the caller deletes later).
   */
  public static YarnCluster start(Path root, String name) throws IOException, InterruptedException {
    YarnCluster cluster = new YarnCluster(root, name);
    try {
      cluster.startYarn();
      cluster.writeClientConfiguration();
      Files.createDirectories(cluster.logs);
      StandaloneCluster.layOutSparkHome(cluster.sparkHome, List.of(Packaged.sparkJars(), yarnJars()));
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void startYarn() throws InterruptedException {
    YarnConfiguration conf = new YarnConfiguration();
    // A 2-core machine: containers of 128 MiB steps, four vcores, no check of virtual or
    // physical memory (a JVM reserves far more address space than it uses), full disks allowed.
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 2048);
    conf.setInt(YarnConfiguration.NM_PMEM_MB, NODE_MEMORY_MB);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    // Containers are handed out on the NodeManager's heartbeats: five a second instead of one.
    conf.setInt(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 200);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
    // The nodes' Java, which a real cluster's NodeManagers have in their environment: a
    // container's command is {{JAVA_HOME}}/bin/java.
    conf.set(YarnConfiguration.NM_ADMIN_USER_ENV, "JAVA_HOME=" + System.getProperty("java.home"));
    // hadoop-client-minicluster has no capacity-scheduler.xml: one queue, "default", with everything.
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
    conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
    conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
    conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
    conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
    conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
    conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
    yarn.init(conf);
    yarn.start();
    // start() can return before the ResourceManager has put its bound port in the configuration.
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ResourceManager's address is still "
            + yarn.getConfig().get(YarnConfiguration.RM_ADDRESS));
      }
      Thread.sleep(100);
    }
    try {
      if (!yarn.waitForNodeManagersToConnect(START_TIMEOUT.toMillis())) {
        throw new IllegalStateException("the NodeManager did not register with the ResourceManager");
      }
    } catch (YarnException e) {
      throw new IllegalStateException("the ResourceManager did not list its nodes", e);
    }
    client = YarnClient.createYarnClient();
    client.init(yarn.getConfig());
    client.start();
  }

  /** {@code hadoop-conf/yarn-site.xml}: the running cluster's whole configuration, its addresses with their ports. */
  private void writeClientConfiguration() throws IOException {
    Files.createDirectories(confDir);
    try (OutputStream out = Files.newOutputStream(confDir.resolve("yarn-site.xml"))) {
      yarn.getConfig().writeXml(out);
    }
  }

  /** The directory {@code HADOOP_CONF_DIR} and {@code YARN_CONF_DIR} name. */
  public Path confDir() {
    return confDir;
  }

  /** The Spark home: {@code jars/} (links to target/lib and target/yarn-lib) and {@code bin/spark-submit}. */
  public Path sparkHome() {
    return sparkHome;
  }

  /** The processes of this cluster's containers and of the drivers submitted to it. */
  public ProcessGroup processes() {
    return processes;
  }

  /**
   * Runs {@code scripts/submit.sh --master yarn [options] -- [appArgs]} with this cluster's
   * Spark home and {@code HADOOP_CONF_DIR}. {@code spark.yarn.jars} names the Spark home's jars
   * as {@code local:} (present on every node, here the one machine), so nothing of Spark is
   * uploaded; the staging directory is under this cluster's directory.
   */
  public StandaloneCluster.Driver submit(String name, List<String> sparkSubmitOptions, List<String> appArgs)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash",
        Packaged.projectDir().resolve("scripts/submit.sh").toString(), "--master", "yarn",
        "--conf", "spark.yarn.jars=local:" + sparkHome.resolve("jars") + "/*",
        "--conf", "spark.yarn.stagingDir=" + root.resolve("staging").toUri(),
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false"));
    cmd.addAll(sparkSubmitOptions);
    cmd.add("--");
    cmd.addAll(appArgs);
    Path out = logs.resolve(name + ".out");
    Path err = logs.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    for (String inherited : List.of("SPARK_CONF_DIR", "SPARK_LOCAL_HOSTNAME", "SPARK_DIST_CLASSPATH")) {
      env.remove(inherited);
    }
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("HADOOP_CONF_DIR", confDir.toString());
    env.put("YARN_CONF_DIR", confDir.toString());
    env.put("OPENBLAS_NUM_THREADS", "1");
    return new StandaloneCluster.Driver(processes.start(pb), out, err);
  }

  /** The YARN application id in a driver's log ({@code Submitted application application_...}). */
  public static Optional<String> appId(StandaloneCluster.Driver driver) {
    Matcher m = APP_ID.matcher(driver.stderr());
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The ResourceManager's report of an application, once it is in a final state (FINISHED,
   * FAILED, KILLED) or {@code timeout} has passed.
   */
  public ApplicationReport finalReport(String appId, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ApplicationReport report;
      try {
        report = client.getApplicationReport(ApplicationId.fromString(appId));
      } catch (YarnException e) {
        throw new IOException(e);
      }
      switch (report.getYarnApplicationState()) {
        case FINISHED, FAILED, KILLED -> {
          return report;
        }
        default -> {
          if (System.nanoTime() > deadline) {
            return report;
          }
        }
      }
      Thread.sleep(100);
    }
  }

  /**
   * The log directories of an application's containers, in container order (the application
   * master's first): each holds the container's {@code stdout}, {@code stderr} and the
   * {@code launch_container.sh} that the NodeManager ran.
   */
  public List<Path> containerLogDirs(String appId) {
    List<Path> found = new ArrayList<>();
    for (String logDir : yarn.getNodeManager(0).getConfig().getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS)) {
      Path app = Paths.get(logDir).resolve(appId);
      if (Files.isDirectory(app)) {
        try (Stream<Path> containers = Files.list(app)) {
          containers.filter(p -> p.getFileName().toString().startsWith("container_")).forEach(found::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    found.sort(null);
    return found;
  }

  /** Ends the drivers, the containers (with the NodeManager) and the ResourceManager. */
  @Override
  public void close() {
    try {
      processes.close();
    } finally {
      try {
        if (client != null) {
          client.stop();
        }
      } finally {
        try {
          yarn.stop();
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
    }
  }
}
