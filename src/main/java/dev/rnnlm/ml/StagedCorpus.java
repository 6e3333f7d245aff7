package dev.rnnlm.ml;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;

/**
 * A string column's rows as one text file, for the trainer to read as it reads any corpus
 * file: each non-null row followed by a line break, in the dataset's order (the order
 * {@code collect()} gives: partition by partition).
 *
 * <p>One file, not one per partition, because the training corpus is defined per file: with
 * a validation fraction the held-out text is the tail of each file. The partitions are written
 * in parallel by Spark's text writer (partition i to {@code part-i...}); when there are several,
 * the driver joins them in partition order. {@code coalesce(1)} would avoid the join but does
 * not keep the partitions' order when some have preferred locations and others not.
 */
final class StagedCorpus {
  /** Spark's file names: {@code part-<partition>-<job>-c<file of the partition>[.ext]}. */
  private static final Pattern PART_FILE = Pattern.compile("^part-(\\d+)-.*-c(\\d+)(\\..*)?$");

  private StagedCorpus() {}

  /**
   * Writes the non-null rows of {@code column} under {@code dir} (which must not exist) and
   * returns the one file that holds them all.
   */
  static Path write(Dataset<?> dataset, String column, Path dir, Configuration conf)
      throws IOException {
    Column text = dataset.col(column);
    Path parts = new Path(dir, "parts");
    dataset.select(text).where(text.isNotNull()).write()
        .option("compression", "none")     // joined byte for byte below
        .option("maxRecordsPerFile", 0)    // one file per partition
        .option("lineSep", "\n")
        .text(parts.toString());
    FileSystem fs = parts.getFileSystem(conf);
    List<Path> files = inPartitionOrder(fs, parts);
    if (files.size() == 1) {
      return files.get(0);
    }
    Path joined = new Path(dir, "corpus.txt");
    try (FSDataOutputStream out = fs.create(joined, false)) {
      for (Path file : files) {
        try (InputStream in = fs.open(file)) {
          in.transferTo(out);
        }
      }
    }
    fs.delete(parts, true);
    return joined;
  }

  /** The part files of a Spark write, by partition, then by file within the partition. */
  static List<Path> inPartitionOrder(FileSystem fs, Path dir) throws IOException {
    List<long[]> keys = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue; // _SUCCESS, checksums
      }
      Matcher m = PART_FILE.matcher(name);
      if (!m.matches()) {
        throw new IllegalStateException("unexpected file " + st.getPath() + " in Spark's output");
      }
      keys.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), files.size()});
      files.add(st.getPath());
    }
    keys.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
    return keys.stream().map(k -> files.get((int) k[2])).toList();
  }
}
