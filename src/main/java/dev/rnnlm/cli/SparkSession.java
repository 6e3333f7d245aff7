package dev.rnnlm.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

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
    SparkConf conf = new SparkConf();
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
    return new SparkSession(new JavaSparkContext(conf), true);
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
