package dev.rnnlm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HDFS: a real NameNode and DataNode (Hadoop's MiniDFSCluster, in this JVM, on 127.0.0.1).
 * The corpus is read from {@code hdfs://}, the model is written there, and {@code generate}
 * and {@code evaluate} read it from there.
 */
class HdfsIT {
  @TempDir
  static Path tmp;
  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  private static String root;

  @BeforeAll
  static void startHdfs() throws IOException {
    // The NameNode and DataNode log warnings about this throwaway set-up (no HTTP secret, no
    // space cache...); errors still show.
    Configurator.setLevel("org.apache.hadoop", Level.ERROR);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    for (String key : List.of("dfs.namenode.http-address", "dfs.namenode.https-address",
        "dfs.datanode.address", "dfs.datanode.http.address", "dfs.datanode.https.address",
        "dfs.datanode.ipc.address", "dfs.namenode.secondary.http-address",
        "dfs.namenode.secondary.https-address", "dfs.namenode.backup.address",
        "dfs.namenode.backup.http-address")) {
      conf.set(key, "127.0.0.1:0");
    }
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    assertTrue(hdfs.getNameNode().getNameNodeAddress().getAddress().isLoopbackAddress());
    assertTrue(hdfs.getNameNode().getHttpAddress().getAddress().isLoopbackAddress());
    assertTrue(hdfs.getDataNodes().get(0).getXferAddress().getAddress().isLoopbackAddress());
    fs = hdfs.getFileSystem();
    root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
    try (Stream<Path> files = Files.list(SparkTestContext.sampleData())) {
      for (Path f : files.toList()) {
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()),
            new org.apache.hadoop.fs.Path(root + "/corpus/" + f.getFileName()));
      }
    }
  }

  @AfterAll
  static void stopHdfs() throws IOException {
    if (hdfs != null) {
      Configurator.setLevel("org.apache.hadoop", Level.OFF); // its threads complain of being stopped
      try {
        hdfs.shutdown(true);
      } finally {
        Configurator.setLevel("org.apache.hadoop", Level.WARN);
      }
    }
  }

  private static List<String> train(String input, String model) {
    return List.of("train", "--input", input, "--model", model, "--hidden", "32", "--batch", "8",
        "--steps", "10", "--epochs", "2", "--max-tokens", "5000", "--sample-every", "0",
        "--partitions", "2", "--seed", "3");
  }

  @Test
  void trainsFromHdfsIntoHdfsAndGeneratesAndEvaluatesFromThere() throws IOException {
    String model = root + "/models/m1";
    Cli trained = Cli.run(train(root + "/corpus", model));
    assertEquals(0, trained.exitCode(), trained::toString);
    for (String file : List.of("model.json", "vocab.json", "parameters.bin", "metrics.jsonl")) {
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(model + "/" + file)), "missing on HDFS: " + file);
    }
    // One metrics line per epoch, although this one-datanode HDFS refuses appends (rewritten instead).
    assertEquals(2, new String(read(model + "/metrics.jsonl"), java.nio.charset.StandardCharsets.UTF_8)
        .lines().count());

    // The same corpus read from the local file system gives the same model, byte for byte.
    Path local = tmp.resolve("local-model");
    Cli localRun = Cli.run(train(SparkTestContext.sampleData().toString(), local.toString()));
    assertEquals(0, localRun.exitCode(), localRun::toString);
    assertArrayEquals(Files.readAllBytes(local.resolve("parameters.bin")), read(model + "/parameters.bin"),
        "model trained from HDFS differs from the one trained from local files");

    Cli generated = Cli.run("generate", "--model", model, "--prefix", "the ", "--length", "30");
    assertEquals(0, generated.exitCode(), generated::toString);
    assertTrue(generated.out().startsWith("the ") && generated.out().strip().length() > "the".length(),
        generated::toString);

    Cli evaluated = Cli.run("evaluate", "--model", model, "--input", root + "/corpus/clockmaker.txt", "--json");
    assertEquals(0, evaluated.exitCode(), evaluated::toString);
    assertTrue(evaluated.out().contains("\"perplexity\""), evaluated::toString);
    assertFalse(evaluated.out().contains("NaN"), evaluated::toString);
  }

  private static byte[] read(String path) throws IOException {
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
      return in.readAllBytes();
    }
  }
}
