package dev.rnnlm.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code mvn package} built, for the tests that run it as a user would (maven-failsafe,
 * {@code mvn verify}): the application jar and {@code target/lib}, which holds what a Spark
 * installation's {@code jars/} holds. The paths come from failsafe's system properties, with
 * the defaults of a run from the project directory.
 */
public final class Packaged {
  private Packaged() {}

  /** {@code target/spark-rnn-lm.jar}: this project's classes and the libraries Spark lacks. */
  public static Path appJar() {
    return existing(System.getProperty("rnnlm.appJar", "target/spark-rnn-lm.jar"));
  }

  /** {@code target/lib}: Spark, Scala, Hadoop and the rest of a Spark installation's jars. */
  public static Path sparkJars() {
    return existing(System.getProperty("rnnlm.sparkJars", "target/lib"));
  }

  /** The Java 17 options Spark needs (pom.xml's {@code spark.java.opens}). */
  public static List<String> javaOpens() {
    String opens = System.getProperty("rnnlm.javaOpens");
    if (opens == null || opens.isBlank()) {
      throw new IllegalStateException("system property rnnlm.javaOpens is not set (run with mvn verify)");
    }
    return Arrays.stream(opens.trim().split("\\s+")).toList();
  }

  /** The project directory (where {@code scripts/} and {@code sample-data/} are). */
  public static Path projectDir() {
    return Paths.get("").toAbsolutePath();
  }

  private static Path existing(String path) {
    Path p = Paths.get(path).toAbsolutePath();
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " not found: build it with mvn package (mvn verify runs these tests after it)");
    }
    return p;
  }
}
