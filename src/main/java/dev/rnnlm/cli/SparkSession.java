package dev.rnnlm.cli;

import dev.rnnlm.io.ForkFreeLocalFileSystem;
import dev.rnnlm.train.TrainingMetricsPlugin;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * The Spark context of one command. A master set by spark-submit or {@code spark.master}
 * wins over the CLI's {@code --master}; a context handed in by an embedding program (tests,
 * notebooks) is used as it is and left running.
 */
final class SparkSession implements AutoCloseable {
  private final JavaSparkContext sc;
  private final boolean owned;

  private SparkSession(JavaSparkContext sc, boolean owned) {
    this.sc = sc;
    this.owned = owned;
  }

  /** Uses {@code existing} when given (left running), else starts a context it stops on close. */
  static SparkSession open(String command, String cliMaster, JavaSparkContext existing) {
    if (existing != null) {
      return new SparkSession(existing, false);
    }
    return new SparkSession(new JavaSparkContext(configure(new SparkConf(), command, cliMaster)),
        true);
  }

  /**
   * The Hadoop configuration the command's Spark context has (or will have): for checks of paths
   * before the context starts, which takes seconds.
   */
  static Configuration hadoopConfiguration(String command, String cliMaster, JavaSparkContext existing) {
    if (existing != null) {
      return existing.hadoopConfiguration();
    }
    return SparkHadoopUtil.get().newConfiguration(configure(new SparkConf(), command, cliMaster));
  }

  /**
   * The Hadoop configuration of a command that starts no Spark context (generate, inspect,
   * export): the {@code spark.hadoop.*} settings ({@code -D} options, spark-submit's
   * {@code --conf}) applied as a context applies them, so that, say, the
   * {@code fs.s3a.endpoint} and keys given for {@code train} reach a model on {@code s3a://}.
   */
  static Configuration hadoopConfiguration() {
    return SparkHadoopUtil.get().newConfiguration(new SparkConf());
  }

  /**
   * This program's defaults on top of {@code conf} (spark-submit's settings and {@code spark.*}
   * system properties); a setting already present is never overridden.
   */
  /** The commands whose progress {@link TrainingMetricsPlugin} reports to Spark's metrics system. */
  private static final java.util.Set<String> TRAINING_COMMANDS = java.util.Set.of("train", "retrain");
  /** {@code --conf spark.rnnlm.metrics=false} leaves the plugin out. */
  static final String METRICS_SWITCH = "spark.rnnlm.metrics";

  static SparkConf configure(SparkConf conf, String command, String cliMaster) {
    if (!conf.contains("spark.master")) {
      conf.setMaster(cliMaster);
    }
    conf.setIfMissing("spark.app.name", "spark-rnn-lm " + command);
    // Gradients are ~1 MiB per task: send them with the task result instead of a second fetch.
    conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // Parameters are float noise that does not compress; steps are too short for locality waits.
    conf.setIfMissing("spark.broadcast.compress", "false");
    conf.setIfMissing("spark.locality.wait", "0");
    // Local files get their permissions without a chmod process per file (checkpoints write twelve).
    // Not on YARN in client mode: its application master (ExecutorLauncher) gets every
    // spark.hadoop setting but not the application jar, and would find no class for file://.
    if (!isYarnClientMode(conf)) {
      conf.setIfMissing("spark.hadoop.fs.file.impl", ForkFreeLocalFileSystem.class.getName());
    }
    if (TRAINING_COMMANDS.contains(command) && conf.getBoolean(METRICS_SWITCH, true)) {
      String plugins = conf.get("spark.plugins", "");
      String plugin = TrainingMetricsPlugin.class.getName();
      if (!java.util.Arrays.asList(plugins.split(",")).contains(plugin)) {
        conf.set("spark.plugins", plugins.isBlank() ? plugin : plugins + "," + plugin);
      }
    }
    if (isLocal(conf.get("spark.master"))) {
      // The driver is the only executor: tasks read each broadcast's value from its block
      // manager and the serialized pieces are never fetched, so their checksums are never
      // checked. Computing them cost ~0.4 ms of every step's broadcast (1.2 MB at H=512).
      conf.setIfMissing("spark.broadcast.checksum", "false");
    }
    return conf;
  }

  /** Master yarn with the driver outside the cluster (spark.submit.deployMode unset or client). */
  static boolean isYarnClientMode(SparkConf conf) {
    return conf.get("spark.master").equals("yarn")
        && !conf.get("spark.submit.deployMode", "client").equals("cluster");
  }

  /** local, local[N], local[*], local[N, F]; not local-cluster, whose executors are JVMs of their own. */
  static boolean isLocal(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  JavaSparkContext context() {
    return sc;
  }

  @Override
  public void close() {
    if (owned) {
      sc.stop();
    }
  }
}
