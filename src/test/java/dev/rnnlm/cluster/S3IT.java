package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.Checkpoints;
import dev.rnnlm.testutil.Packaged;
import dev.rnnlm.testutil.ProcessGroup;
import dev.rnnlm.testutil.S3Server;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3a://}: a real S3 server on 127.0.0.1 (S3Proxy, {@link S3Server}) and the packaged
 * program run as a user runs it, {@code scripts/rnnlm} (the jar and target/lib, which holds
 * Hadoop's S3A connector), with the S3A settings given as {@code -Dspark.hadoop.fs.s3a.*} in
 * {@code RNNLM_JAVA_OPTS}. The corpus is read from S3 and the model and its checkpoints are
 * written there; a training SIGKILLed mid-run resumes from its checkpoints on S3; evaluate,
 * generate, export and inspect read the model from S3.
 */
class S3IT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @TempDir
  static Path tmp;
  private static S3Server s3;
  private static FileSystem fs;
  private static ProcessGroup runs;
  private static Path runDir;
  /** The undisturbed training, started before the tests, alongside the ones that kill and resume. */
  private static Run undisturbed;
  private static String undisturbedModel;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(Files.createDirectories(tmp.resolve("s3")));
    fs = FileSystem.newInstance(URI.create(s3.uri("")), s3.hadoopConfiguration());
    try (Stream<Path> files = Files.list(SparkTestContext.sampleData())) {
      for (Path f : files.toList()) {
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()),
            new org.apache.hadoop.fs.Path(s3.uri("corpus/" + f.getFileName())));
      }
    }
    runDir = Files.createDirectories(tmp.resolve("runs"));
    runs = new ProcessGroup(runDir.toString());
    undisturbed = start("undisturbed", trainArgs(s3.uri("corpus"), s3.uri("models/undisturbed")));
  }

  @AfterAll
  static void stopS3() throws IOException {
    try {
      if (runs != null) {
        runs.close();
      }
      if (fs != null) {
        fs.close();
      }
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }

  /** A small GRU with Adam (its moments go into the checkpoints): 2 epochs of 49 steps. */
  private static List<String> trainArgs(String input, String model) {
    return List.of("train", "--input", input, "--model", model, "--hidden", "32", "--batch", "8",
        "--steps", "10", "--epochs", "2", "--max-tokens", "4000", "--cell", "gru", "--optimizer", "adam",
        "--lr", "0.01", "--partitions", "2", "--seed", "7", "--sample-every", "0",
        "--checkpoint-every-steps", "25", "--master", "local[2]");
  }

  @Test
  void trainReadsItsCorpusFromS3AndWritesTheModelAndItsCheckpointsThere() throws Exception {
    String model = undisturbedModel();
    for (String file : List.of("model.json", "vocab.json", "parameters.bin", "metrics.jsonl", "training.png")) {
      assertTrue(fs.exists(path(model + "/" + file)), "missing on S3: " + file);
    }
    assertEquals(2, new String(read(model + "/metrics.jsonl"), StandardCharsets.UTF_8).lines().count());
    // 49 steps an epoch: checkpoints every 25 steps and at the end of each epoch (25, 49, 50, 75,
    // 98); the 3 newest are kept.
    assertEquals(List.of("step-000000000050", "step-000000000075", "step-000000000098"),
        names(model + "/checkpoints"));
    assertTrue(names(model + "/logs").stream().anyMatch(n -> n.startsWith("train-") && n.endsWith(".log")),
        () -> "no run log in " + model + "/logs");
    // Released lock, no temporary file left behind anywhere in the model directory.
    List<String> all = allFiles(model);
    assertTrue(all.stream().noneMatch(f -> f.endsWith("/.lock") || f.endsWith(".tmp") || f.contains("/.probe-")),
        () -> "left behind: " + all);

    // The same corpus read from local files gives the same model, byte for byte.
    Path local = tmp.resolve("local-model");
    Cli localRun = Cli.run(trainArgs(SparkTestContext.sampleData().toString(), local.toString()));
    assertEquals(0, localRun.exitCode(), localRun::toString);
    assertArrayEquals(Files.readAllBytes(local.resolve("parameters.bin")), read(model + "/parameters.bin"),
        "model trained from S3 differs from the one trained from local files");
  }

  /**
   * SIGKILL once a checkpoint at a random step from 20 to 69 exists (25, 49, 50 or 75): no
   * shutdown hook runs, the lock stays on S3 with its dead holder; the same command with --resume takes the
   * lock over, continues from the newest checkpoint on S3 and ends with the undisturbed run's
   * parameters.
   */
  @Test
  void aTrainingKilledMidRunAndResumedFromS3EndsByteIdenticalToTheUndisturbedRun() throws Exception {
    String model = s3.uri("models/resumed");
    long seed = System.nanoTime();
    long killAfter = 20 + new Random(seed).nextInt(50); // of 98 steps
    System.out.printf("kill seed %d: after a checkpoint at step >= %d%n", seed, killAfter);

    Run first = start("killed", trainArgs(s3.uri("corpus"), model));
    try {
      long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
      while (Checkpoints.newestStep(fs, path(model)) < killAfter) {
        assertTrue(first.process.isAlive() && System.nanoTime() < deadline,
            () -> "no checkpoint at step " + killAfter + " or later\n" + first.describe());
        Thread.sleep(100);
      }
      assertTrue(first.process.toHandle().destroyForcibly(), "SIGKILL not sent");
      assertTrue(first.process.waitFor(30, TimeUnit.SECONDS), "killed run still running");
    } finally {
      first.process.destroyForcibly();
    }
    assertFalse(first.out().contains("trained: "), () -> "training ended before the kill\n" + first.describe());
    assertTrue(fs.exists(path(model + "/.lock")), "the killed run's lock is gone");
    assertFalse(fs.exists(path(model + "/parameters.bin")), "the killed run wrote its final model");

    List<String> resumeArgs = new ArrayList<>(trainArgs(s3.uri("corpus"), model));
    resumeArgs.add("--resume");
    Run resumed = start("resumed", resumeArgs);
    resumed.finish();
    assertTrue(resumed.out().contains("resume: from"), resumed::describe);
    assertArrayEquals(read(undisturbedModel() + "/parameters.bin"), read(model + "/parameters.bin"),
        "parameters after a kill and a resume differ from the undisturbed run");
    assertEquals(2, new String(read(model + "/metrics.jsonl"), StandardCharsets.UTF_8).lines().count());
  }

  /**
   * evaluate, generate and export read the model from S3: they print and write what they do for
   * a local copy of it (generate samples at a temperature, so every probability counts; export
   * writes its safetensors file to S3); inspect reads it too.
   */
  @Test
  void evaluateGenerateExportAndInspectReadTheModelFromS3AsFromALocalCopy() throws Exception {
    String model = undisturbedModel();
    Path copy = tmp.resolve("model-copy");
    fs.copyToLocalFile(false, path(model), new org.apache.hadoop.fs.Path(copy.toUri()), true);
    String text = "corpus/clockmaker.txt";

    List<String> generate = List.of("--prefix", "the ", "--length", "40", "--temperature", "0.8", "--seed", "11");
    List<String> generateFromS3 = new ArrayList<>(List.of("generate", "--model", model));
    generateFromS3.addAll(generate);
    String exported = s3.uri("exports/model.safetensors");
    // Four commands at once: each is mostly a JVM starting.
    Run evaluated = start("evaluate", List.of("evaluate", "--model", model, "--input", s3.uri(text), "--json",
        "--master", "local[2]"));
    Run generated = start("generate", generateFromS3);
    Run exporting = start("export", List.of("export", "--model", model, "--out", exported));
    Run inspected = start("inspect", List.of("inspect", "--model", model));

    Cli localEval = Cli.run("evaluate", "--model", copy.toString(), "--input",
        SparkTestContext.sampleData().resolve("clockmaker.txt").toString(), "--json");
    assertEquals(0, localEval.exitCode(), localEval::toString);
    List<String> generateLocally = new ArrayList<>(List.of("generate", "--model", copy.toString()));
    generateLocally.addAll(generate);
    Cli localGen = Cli.run(generateLocally);
    assertEquals(0, localGen.exitCode(), localGen::toString);
    Path localExport = tmp.resolve("model.safetensors");
    Cli localExp = Cli.run("export", "--model", copy.toString(), "--out", localExport.toString());
    assertEquals(0, localExp.exitCode(), localExp::toString);

    evaluated.finish();
    assertTrue(evaluated.out().contains("\"perplexity\""), evaluated::describe);
    assertEquals(localEval.out(), evaluated.out());
    generated.finish();
    assertTrue(generated.out().startsWith("the ") && generated.out().strip().length() > "the".length(),
        generated::describe);
    assertEquals(localGen.out(), generated.out());
    exporting.finish();
    assertArrayEquals(Files.readAllBytes(localExport), read(exported), "export from S3 differs from the local one");
    inspected.finish();
    assertTrue(inspected.out().contains("cell: gru  hidden: 32  vocabulary: 72"), inspected::describe);
  }

  /** The undisturbed training's model on S3, once that run has ended. */
  private static synchronized String undisturbedModel() throws Exception {
    if (undisturbedModel == null) {
      undisturbed.finish();
      assertTrue(undisturbed.out().contains("trained: "), undisturbed::describe);
      undisturbedModel = s3.uri("models/undisturbed");
    }
    return undisturbedModel;
  }

  /** One {@code scripts/rnnlm} command in a JVM of its own, its output in files under the runs directory. */
  private record Run(String name, Process process, Path outFile, Path errFile, long started) {
    String out() {
      return readQuietly(outFile);
    }

    /** Waits for the command and asserts that it succeeded; prints how long it ran. */
    void finish() throws InterruptedException {
      try {
        assertTrue(process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
            () -> name + " still running after " + RUN_TIMEOUT + "\n" + describe());
      } finally {
        process.destroyForcibly();
      }
      System.out.printf("%s: exit %d after %.1f s%n", name, process.exitValue(),
          (System.nanoTime() - started) / 1e9);
      assertEquals(0, process.exitValue(), this::describe);
    }

    String describe() {
      return name + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
          + "\n--- out\n" + out() + "\n--- err\n" + readQuietly(errFile) + "\n--- S3Proxy\n" + s3.log();
    }
  }

  private static Run start(String name, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash", Packaged.projectDir().resolve("scripts/rnnlm").toString()));
    cmd.addAll(args);
    Path jvmTmp = Files.createDirectories(runDir.resolve(name + "-tmp"));
    Path out = runDir.resolve(name + ".out");
    Path err = runDir.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(runDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    for (String var : List.of("SPARK_HOME", "SPARK_CONF_DIR", "HADOOP_CONF_DIR")) {
      pb.environment().remove(var);
    }
    // java.io.tmpdir under the runs directory also marks the process as one of this test's.
    String opts = "-Xmx1g -Djava.io.tmpdir=" + jvmTmp + " -Dspark.driver.host=127.0.0.1"
        + " -Dspark.driver.bindAddress=127.0.0.1 -Dspark.ui.enabled=false "
        + s3.s3aSettings().entrySet().stream().map(e -> "-Dspark.hadoop." + e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
    pb.environment().put("RNNLM_JAVA_OPTS", opts);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    // A command that missed the settings above would look for a cloud machine's credentials at
    // a link-local address: none here, and no such request leaves this machine.
    pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    long started = System.nanoTime();
    return new Run(name, runs.start(pb), out, err, started);
  }

  private static org.apache.hadoop.fs.Path path(String uri) {
    return new org.apache.hadoop.fs.Path(uri);
  }

  private static byte[] read(String uri) throws IOException {
    try (InputStream in = fs.open(path(uri))) {
      return in.readAllBytes();
    }
  }

  /** Names in a directory on S3, sorted. */
  private static List<String> names(String dir) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus st : fs.listStatus(path(dir))) {
      names.add(st.getPath().getName());
    }
    names.sort(null);
    return names;
  }

  /** Every file under a directory on S3, as paths. */
  private static List<String> allFiles(String dir) throws IOException {
    List<String> files = new ArrayList<>();
    RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(path(dir), true);
    while (it.hasNext()) {
      files.add(it.next().getPath().toString());
    }
    return files;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
