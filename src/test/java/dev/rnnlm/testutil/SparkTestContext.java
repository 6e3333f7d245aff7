package dev.rnnlm.testutil;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One real local Spark context ({@code local[2]}, the two cores of a CI machine) shared by all
 * tests in the JVM: starting Spark costs seconds, and Spark allows one context per JVM.
 */
public final class SparkTestContext {
  private static JavaSparkContext context;

  private SparkTestContext() {}

  public static synchronized JavaSparkContext get() {
    if (context == null) {
      SparkConf conf = new SparkConf()
          .setMaster("local[2]")
          .setAppName("spark-rnn-lm tests")
          .set("spark.ui.enabled", "false")
          .set("spark.task.maxDirectResultSize", "64m")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.driver.bindAddress", "127.0.0.1");
      context = new JavaSparkContext(conf);
      Runtime.getRuntime().addShutdownHook(new Thread(context::stop));
    }
    return context;
  }

  /** The project's sample corpus directory. */
  public static Path sampleData() {
    return Paths.get("sample-data").toAbsolutePath();
  }
}
