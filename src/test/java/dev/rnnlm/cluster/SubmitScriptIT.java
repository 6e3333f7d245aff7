package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.Packaged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/submit.sh}: what it hands to {@code $SPARK_HOME/bin/spark-submit} (here a stand-in
 * that prints its arguments) and its errors. A real submission through it runs in
 * {@link StandaloneClusterIT}.
 */
class SubmitScriptIT {
  private static final String ERROR_MISSING =
      "error: $SPARK_HOME/bin/spark-submit not found (set SPARK_HOME to a Spark 4.2 installation)";

  @TempDir
  Path tmp;
  private Path sparkHome;
  private String opens;

  @BeforeEach
  void fakeSparkHome() throws IOException {
    sparkHome = Files.createDirectories(tmp.resolve("spark"));
    Path submit = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
    Files.writeString(submit, "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    opens = String.join(" ", Packaged.javaOpens());
  }

  private record Run(int exitCode, List<String> args, String err) {}

  private Run submit(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash",
        Packaged.projectDir().resolve("scripts/submit.sh").toString()));
    cmd.addAll(Arrays.asList(args));
    Path out = tmp.resolve("out");
    Path err = tmp.resolve("err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("SPARK_CONF_DIR");
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Process p = pb.start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("scripts/submit.sh still running after 30 s");
    }
    String printed = Files.readString(out, StandardCharsets.UTF_8);
    List<String> passed = new ArrayList<>(Arrays.asList(printed.split("\0", -1)));
    passed.remove(passed.size() - 1); // what follows the last NUL: nothing
    return new Run(p.exitValue(), passed, Files.readString(err, StandardCharsets.UTF_8));
  }

  private Run submit(String... args) throws IOException, InterruptedException {
    return submit(Map.of(), args);
  }

  private String jar() {
    return Packaged.appJar().toString();
  }

  @Test
  void addsMainClassJavaOptionsAndOneBlasThreadThenTheJarAndTheCommand() throws Exception {
    Run run = submit("--master", "spark://127.0.0.1:7077", "--executor-memory", "2g",
        "--", "train", "--input", "a corpus", "--model", "m");
    assertEquals(0, run.exitCode(), run::err);
    assertEquals(List.of(
        "--class", "dev.rnnlm.cli.Main",
        "--conf", "spark.driver.extraJavaOptions=" + opens,
        "--conf", "spark.executor.extraJavaOptions=" + opens,
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1",
        "--master", "spark://127.0.0.1:7077", "--executor-memory", "2g",
        jar(), "train", "--input", "a corpus", "--model", "m"), run.args());
  }

  @Test
  void settingsGivenOnTheCommandLineAreLeftAlone() throws Exception {
    Run run = submit("--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=4",
        "--driver-java-options", "-Dx=1", "--conf=spark.executor.extraJavaOptions=-Dy=2",
        "--class", "dev.rnnlm.cli.Main", "--", "evaluate", "--help");
    assertEquals(0, run.exitCode(), run::err);
    assertEquals(List.of("--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=4",
        "--driver-java-options", "-Dx=1", "--conf=spark.executor.extraJavaOptions=-Dy=2",
        "--class", "dev.rnnlm.cli.Main", jar(), "evaluate", "--help"), run.args());
  }

  @Test
  void settingsInTheFilesSparkSubmitReadsAreLeftAlone() throws Exception {
    // The installation's spark-defaults.conf, read when no --properties-file is given.
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"),
        "# cluster settings\nspark.driver.extraJavaOptions=-Dw=1\n  spark.executorEnv.OPENBLAS_NUM_THREADS 2\n");
    Run run = submit("--", "inspect");
    assertEquals(List.of("--class", "dev.rnnlm.cli.Main",
        "--conf", "spark.executor.extraJavaOptions=" + opens, jar(), "inspect"), run.args());

    // A --properties-file replaces it (spark-submit then reads only that file).
    Path props = Files.writeString(tmp.resolve("job.conf"), "spark.executor.extraJavaOptions  -Dz=1\n");
    run = submit("--properties-file", props.toString(), "--", "inspect");
    assertEquals(List.of("--class", "dev.rnnlm.cli.Main",
        "--conf", "spark.driver.extraJavaOptions=" + opens,
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1",
        "--properties-file", props.toString(), jar(), "inspect"), run.args());

    // An --extra-properties-file is read on top: the project's conf/spark-defaults.conf sets all three.
    String projectConf = Packaged.projectDir().resolve("conf/spark-defaults.conf").toString();
    run = submit("--extra-properties-file", projectConf, "--", "inspect");
    assertEquals(List.of("--class", "dev.rnnlm.cli.Main", "--extra-properties-file", projectConf, jar(),
        "inspect"), run.args());
  }

  @Test
  void missingSparkSubmitIsAClearError() throws Exception {
    Map<String, String> unset = new java.util.HashMap<>();
    unset.put("SPARK_HOME", null);
    Run run = submit(unset, "--", "train");
    assertEquals(2, run.exitCode());
    assertEquals(ERROR_MISSING + "\n", run.err());

    Path nowhere = tmp.resolve("no-spark");
    run = submit(Map.of("SPARK_HOME", nowhere.toString()), "--", "train");
    assertEquals(2, run.exitCode());
    assertEquals("error: " + nowhere + "/bin/spark-submit not found (set SPARK_HOME to a Spark 4.2 installation)\n",
        run.err());
  }

  @Test
  void aCommandAfterDoubleDashIsRequired() throws Exception {
    Run noSeparator = submit("--master", "local[2]", "train");
    assertEquals(2, noSeparator.exitCode());
    assertTrue(noSeparator.err().startsWith("error: missing '--' before the command\nusage: "), noSeparator::err);
    Run noCommand = submit("--master", "local[2]", "--");
    assertEquals(2, noCommand.exitCode());
    assertTrue(noCommand.err().startsWith("error: missing COMMAND after '--'\nusage: "), noCommand::err);
    assertEquals(List.of(), noCommand.args());
  }

  @Test
  void everyCopyOfTheJavaOptionsIsPomXmlsList() throws IOException {
    List<String> expected = Packaged.javaOpens();
    String launcher = Files.readString(Packaged.projectDir().resolve("scripts/rnnlm"), StandardCharsets.UTF_8);
    String block = launcher.substring(launcher.indexOf("opens=(") + "opens=(".length());
    block = block.substring(0, block.indexOf("\n)"));
    assertEquals(expected, Arrays.asList(block.trim().split("\\s+")), "scripts/rnnlm");

    List<String> conf = Files.readAllLines(Packaged.projectDir().resolve("conf/spark-defaults.conf"));
    for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
      String line = conf.stream().filter(l -> l.startsWith(key + " ")).findFirst().orElseThrow();
      assertEquals(expected, Arrays.asList(line.substring(key.length()).trim().split("\\s+")),
          "conf/spark-defaults.conf " + key);
    }
  }
}
