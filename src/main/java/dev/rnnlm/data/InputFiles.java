package dev.rnnlm.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** Expands input paths (files, directories, globs, on any Hadoop file system) to files. */
public final class InputFiles {
  private InputFiles() {}

  /**
   * The files named by a comma-separated list of paths, globs and directories (searched
   * recursively; names starting with '.' or '_' skipped), in sorted path order, without
   * duplicates.
   *
   * @throws InputException when a path matches nothing
   */
  public static List<Path> expand(String commaSeparated, Configuration conf) throws IOException {
    TreeSet<String> files = new TreeSet<>();
    for (String raw : commaSeparated.split(",")) {
      String p = raw.strip();
      if (p.isEmpty()) {
        continue;
      }
      Path path = new Path(p);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new InputException("input path does not exist: " + p);
      }
      for (FileStatus m : matches) {
        if (m.isDirectory()) {
          RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
          while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (!isHidden(m.getPath(), f.getPath())) {
              files.add(f.getPath().toString());
            }
          }
        } else {
          files.add(m.getPath().toString());
        }
      }
    }
    if (files.isEmpty()) {
      throw new InputException("no tokens in input " + commaSeparated + ": no files found");
    }
    List<Path> out = new ArrayList<>();
    files.forEach(f -> out.add(new Path(f)));
    return out;
  }

  private static boolean isHidden(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      String name = p.getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
