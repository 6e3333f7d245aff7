package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkSessionTest {
  @Test
  void aMasterFromSparkSubmitWinsOverTheCliMaster() {
    SparkConf conf = new SparkConf(false).setMaster("spark://host:7077");
    assertEquals("spark://host:7077", SparkSession.configure(conf, "train", "local[*]").get("spark.master"));
    assertEquals("local[2]", SparkSession.configure(new SparkConf(false), "train", "local[2]").get("spark.master"));
  }

  @Test
  void broadcastChecksumsAreSkippedOnlyWhereNoPieceIsEverFetched() {
    for (String local : new String[] {"local", "local[2]", "local[*]", "local[2,3]"}) {
      SparkConf conf = SparkSession.configure(new SparkConf(false), "train", local);
      assertEquals("false", conf.get("spark.broadcast.checksum"), local);
    }
    for (String remote : new String[] {"local-cluster[2,1,1024]", "spark://h:7077", "yarn"}) {
      SparkConf conf = SparkSession.configure(new SparkConf(false), "train", remote);
      assertFalse(conf.contains("spark.broadcast.checksum"), remote);
    }
  }

  @Test
  void localFilesAreWrittenThroughTheForkFreeFileSystemUnlessOneIsConfigured() {
    assertEquals(dev.rnnlm.io.ForkFreeLocalFileSystem.class.getName(),
        SparkSession.configure(new SparkConf(false), "train", "local[2]").get("spark.hadoop.fs.file.impl"));
    SparkConf given = new SparkConf(false).set("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem");
    assertEquals("org.apache.hadoop.fs.LocalFileSystem",
        SparkSession.configure(given, "train", "local[2]").get("spark.hadoop.fs.file.impl"));
  }

  @Test
  void yarnClientModeLeavesLocalFilesToHadoopForTheApplicationMasterWithoutTheJar() {
    assertFalse(SparkSession.configure(new SparkConf(false), "train", "yarn").contains("spark.hadoop.fs.file.impl"));
    SparkConf client = new SparkConf(false).set("spark.submit.deployMode", "client");
    assertFalse(SparkSession.configure(client, "train", "yarn").contains("spark.hadoop.fs.file.impl"));
    SparkConf cluster = new SparkConf(false).set("spark.submit.deployMode", "cluster");
    assertEquals(dev.rnnlm.io.ForkFreeLocalFileSystem.class.getName(),
        SparkSession.configure(cluster, "train", "yarn").get("spark.hadoop.fs.file.impl"));
  }

  @Test
  void settingsAlreadyGivenAreNeverOverridden() {
    SparkConf conf = new SparkConf(false)
        .set("spark.broadcast.checksum", "true")
        .set("spark.task.maxDirectResultSize", "1m")
        .set("spark.locality.wait", "3s");
    SparkSession.configure(conf, "train", "local[2]");
    assertEquals("true", conf.get("spark.broadcast.checksum"));
    assertEquals("1m", conf.get("spark.task.maxDirectResultSize"));
    assertEquals("3s", conf.get("spark.locality.wait"));
    assertTrue(conf.get("spark.app.name").contains("train"));
  }
}
