package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.Packaged;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code mvn package} builds: the application jar for spark-submit (this project and the
 * libraries a Spark installation lacks, with its main class in the manifest), and
 * {@code target/lib}, with which {@code scripts/rnnlm} runs without any Spark installation.
 */
class PackagingIT {
  @TempDir
  Path tmp;

  @Test
  void applicationJarHoldsTheProjectAndWhatSparkLacksButNotSparkScalaOrHadoop() throws IOException {
    try (JarFile jar = new JarFile(Packaged.appJar().toFile())) {
      assertEquals("dev.rnnlm.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      List<String> entries = jar.stream().map(e -> e.getName()).toList();
      for (String needed : List.of("dev/rnnlm/cli/Main.class",
          "scopt/OParser.class", "org/knowm/xchart/XYChart.class")) {
        assertTrue(entries.contains(needed), "application jar lacks " + needed);
      }
      for (String provided : List.of("org/apache/spark/", "scala/", "org/apache/hadoop/", "breeze/",
          "dev/ludovic/", "com/fasterxml/", "io/netty/", "org/slf4j/", "org/apache/commons/logging/")) {
        assertTrue(entries.stream().noneMatch(e -> e.startsWith(provided)),
            "application jar holds " + provided + " (Spark provides it)");
      }
    }
    List<String> lib;
    try (Stream<Path> files = Files.list(Packaged.sparkJars())) {
      lib = files.map(f -> f.getFileName().toString()).toList();
    }
    for (String spark : List.of("spark-core_2.13-", "spark-mllib_2.13-", "scala-library-", "hadoop-client-api-",
        "breeze_2.13-")) {
      assertTrue(lib.stream().anyMatch(f -> f.startsWith(spark)), "target/lib lacks " + spark);
    }
    for (String bundled : List.of("scopt", "xchart", "pdfbox")) {
      assertTrue(lib.stream().noneMatch(f -> f.startsWith(bundled)), "target/lib holds " + bundled);
    }
  }

  @Test
  void launcherTrainsAndGeneratesWithoutASparkInstallation() throws Exception {
    Path model = tmp.resolve("model");
    Path other = Files.createDirectories(tmp.resolve("elsewhere"));
    String rnnlm = Packaged.projectDir().resolve("scripts/rnnlm").toString();
    String out = run(other, rnnlm, "train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--hidden", "16", "--batch", "4", "--steps", "10", "--epochs", "1",
        "--max-tokens", "2000", "--sample-every", "0", "--partitions", "2", "--seed", "5", "--master", "local[2]");
    assertTrue(out.contains("trained: "), out);
    String generated = run(other, rnnlm, "generate", "--model", model.toString(), "--prefix", "the ",
        "--length", "20");
    assertTrue(generated.startsWith("the "), generated);

    // The same run in this JVM gives the same parameters.
    Path again = tmp.resolve("again");
    Cli inProcess = Cli.run("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", again.toString(), "--hidden", "16", "--batch", "4", "--steps", "10", "--epochs", "1",
        "--max-tokens", "2000", "--sample-every", "0", "--partitions", "2", "--seed", "5");
    assertEquals(0, inProcess.exitCode(), inProcess::toString);
    assertArrayEquals(Files.readAllBytes(again.resolve("parameters.bin")),
        Files.readAllBytes(model.resolve("parameters.bin")));
  }

  /** Runs a command in {@code dir} with no Spark installation in sight; returns its standard output. */
  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.addAll(List.of(command));
    Path out = Files.createTempFile(dir, "run", ".out");
    Path err = Files.createTempFile(dir, "run", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    for (String var : List.of("SPARK_HOME", "SPARK_CONF_DIR", "HADOOP_CONF_DIR")) {
      pb.environment().remove(var);
    }
    pb.environment().put("RNNLM_JAVA_OPTS",
        "-Xmx1g -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 -Dspark.ui.enabled=false");
    Process p = pb.start();
    try {
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        throw new AssertionError("still running after 3 minutes: " + cmd + "\n" + Files.readString(err));
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    String printed = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), () -> cmd + "\n" + printed + "\n" + readQuietly(err));
    return printed;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
