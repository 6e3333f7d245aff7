package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl: appended line by line, cut back on resume, robust to a line a crash cut short. */
class MetricsFileTest {
  @TempDir
  Path dir;

  private final ModelStore store = new ModelStore(new Configuration());

  private List<String> lines() throws Exception {
    return Files.readAllLines(dir.resolve(ModelStore.METRICS_FILE));
  }

  @Test
  void appendsAddLinesInPlaceAndLeaveNoChecksumFileToGoStale() throws Exception {
    store.appendMetrics(dir.toString(), Map.of("epoch", 1));
    Object inode = Files.readAttributes(dir.resolve(ModelStore.METRICS_FILE),
        java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    store.appendMetrics(dir.toString(), Map.of("epoch", 2));
    store.appendMetrics(dir.toString(), Map.of("epoch", 3));
    assertEquals(inode, Files.readAttributes(dir.resolve(ModelStore.METRICS_FILE),
        java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "appended, not rewritten");
    assertEquals(List.of("{\"epoch\":1}", "{\"epoch\":2}", "{\"epoch\":3}"), lines());
    assertFalse(Files.exists(dir.resolve("." + ModelStore.METRICS_FILE + ".crc")));
  }

  @Test
  void aStaleChecksumFileFromAnEarlierWriterIsRemovedBeforeAppending() throws Exception {
    Files.writeString(dir.resolve(ModelStore.METRICS_FILE), "{\"epoch\":1}\n");
    Files.write(dir.resolve("." + ModelStore.METRICS_FILE + ".crc"), new byte[] {1, 2, 3, 4});
    store.appendMetrics(dir.toString(), Map.of("epoch", 2));
    assertEquals(List.of("{\"epoch\":1}", "{\"epoch\":2}"), lines());
    assertFalse(Files.exists(dir.resolve("." + ModelStore.METRICS_FILE + ".crc")));
  }

  @Test
  void resumingCutsBackToTheCheckpointsEpochAndDropsALineCutShort() throws Exception {
    Files.writeString(dir.resolve(ModelStore.METRICS_FILE),
        "{\"epoch\":1}\n{\"epoch\":2}\n{\"epoch\":3}\n{\"epoch\":4,\"perplex");
    store.truncateMetrics(dir.toString(), 2);
    assertEquals(List.of("{\"epoch\":1}", "{\"epoch\":2}"), lines());
    store.truncateMetrics(dir.toString(), 9);
    store.appendMetrics(dir.toString(), Map.of("epoch", 3));
    assertEquals(List.of("{\"epoch\":1}", "{\"epoch\":2}", "{\"epoch\":3}"), lines());
  }
}
