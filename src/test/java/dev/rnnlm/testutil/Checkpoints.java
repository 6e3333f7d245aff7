package dev.rnnlm.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/** What the kill-and-resume tests watch: the checkpoints a running training has committed. */
public final class Checkpoints {
  private Checkpoints() {}

  /** The global step of the newest committed checkpoint in {@code model}, or -1 when none. */
  public static long newestStep(Path model) throws IOException {
    Path dir = model.resolve("checkpoints");
    if (!Files.isDirectory(dir)) {
      return -1;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(e -> e.getFileName().toString()).filter(n -> n.startsWith("step-"))
          .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(-1);
    }
  }

  /** As {@link #newestStep(Path)}, for a model directory on a Hadoop file system ({@code s3a://}). */
  public static long newestStep(FileSystem fs, org.apache.hadoop.fs.Path model) throws IOException {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(model, "checkpoints");
    if (!fs.exists(dir)) {
      return -1;
    }
    long newest = -1;
    for (FileStatus st : fs.listStatus(dir)) {
      String n = st.getPath().getName();
      if (st.isDirectory() && n.startsWith("step-")) {
        newest = Math.max(newest, Long.parseLong(n.substring(5)));
      }
    }
    return newest;
  }
}
