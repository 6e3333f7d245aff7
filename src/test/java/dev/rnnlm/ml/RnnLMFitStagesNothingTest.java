package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fit} hands the rows to the trainer as they are: it writes no staged corpus, leaves
 * nothing cached, and estimators saved with the old {@code stagingDir} param still load.
 */
class RnnLMFitStagesNothingTest {
  @TempDir
  static Path work;
  private static Dataset<Row> text;

  @BeforeAll
  static void corpus() throws IOException {
    text = MlFixtures.rows(MlFixtures.sampleLines(60), "text", 2);
  }

  private static RnnLM tiny() {
    return new RnnLM().setHidden(16).setBatchSize(8).setSteps(10).setEpochs(1);
  }

  /**
   * Staging wrote the rows under {@code stagingDir}, by default under {@code hadoop.tmp.dir}:
   * with both under a plain file, where no directory can be made, fit still trains.
   */
  @Test
  void fitTrainsWhereNoStagingDirectoryCanBeMade() throws IOException {
    Path plainFile = Files.writeString(work.resolve("plain-file"), "not a directory");
    Configuration conf = SparkTestContext.get().hadoopConfiguration();
    String tmpBefore = conf.get("hadoop.tmp.dir");
    conf.set("hadoop.tmp.dir", plainFile.resolve("tmp").toString());
    try {
      RnnLMModel model = tiny().setStagingDir(plainFile.resolve("staging").toString()).fit(text);
      assertEquals(1, model.summary().perplexityHistory().length, "one epoch trained");
      model = tiny().fit(text); // stagingDir unset: hadoop.tmp.dir was the default
      assertEquals(1, model.summary().perplexityHistory().length, "one epoch trained");
    } finally {
      if (tmpBefore == null) {
        conf.unset("hadoop.tmp.dir");
      } else {
        conf.set("hadoop.tmp.dir", tmpBefore);
      }
    }
  }

  /**
   * Rows fit cached for its passes are released, its temporary model directory is deleted; a
   * dataset the caller persisted stays so.
   */
  @Test
  void fitLeavesNothingCachedOrOnDiskAndACachedDatasetCached() throws IOException {
    Set<Integer> before = new HashSet<>(SparkTestContext.get().getPersistentRDDs().keySet());
    Set<Path> modelDirsBefore = temporaryModelDirectories();
    tiny().fit(text);
    Set<Integer> after = new HashSet<>(SparkTestContext.get().getPersistentRDDs().keySet());
    after.removeAll(before);
    assertEquals(Set.of(), after, "RDDs fit left persisted");
    Set<Path> modelDirsAfter = temporaryModelDirectories();
    modelDirsAfter.removeAll(modelDirsBefore);
    assertEquals(Set.of(), modelDirsAfter, "temporary model directories fit left");

    Dataset<Row> cached = text.persist(StorageLevel.MEMORY_ONLY());
    try {
      cached.count();
      tiny().fit(cached);
      assertEquals(StorageLevel.MEMORY_ONLY(), cached.storageLevel());
    } finally {
      cached.unpersist(true);
    }
  }

  private static Set<Path> temporaryModelDirectories() throws IOException {
    try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("rnnlm-fit-"))
          .collect(Collectors.toCollection(HashSet::new));
    }
  }

  /** {@code stagingDir} does nothing now, but saved estimators hold it: they load with its value. */
  @Test
  void anEstimatorSavedWithStagingDirLoadsWithIt() throws IOException {
    String saved = work.resolve("estimator").toString();
    tiny().setStagingDir("/some/shared/dir").write().save(saved);
    RnnLM loaded = RnnLM.load(saved);
    assertEquals("/some/shared/dir", loaded.getStagingDir());
    assertEquals(16, loaded.getHidden());
    assertTrue(loaded.stagingDir().doc().startsWith("not used"), loaded.stagingDir().doc());
  }
}
