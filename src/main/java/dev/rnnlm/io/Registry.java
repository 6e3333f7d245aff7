package dev.rnnlm.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model registry for scheduled retraining, on any Hadoop file system.
 *
 * <pre>
 * REG/CURRENT             name of the current version ("v000003"); replaced atomically
 * REG/versions/v000003/   a model directory, plus provenance.json
 * REG/.lock               held by the one retrain working on the registry ({@link DirectoryLock})
 * </pre>
 *
 * A registry is accepted wherever a model directory is: {@link #resolveModelDir} maps it to
 * its current version.
 */
public final class Registry {
  public static final String CURRENT = "CURRENT";
  public static final String VERSIONS = "versions";
  private static final String VERSION_PREFIX = "v";

  private final Configuration conf;
  private final Path root;
  private final FileSystem fs;

  public Registry(Configuration conf, String dir) throws IOException {
    this.conf = conf;
    this.root = new Path(dir);
    this.fs = root.getFileSystem(conf);
  }

  /** The model directory that {@code dir} names: itself, or a registry's current version. */
  public static String resolveModelDir(Configuration conf, String dir) throws IOException {
    Path current = new Path(dir, CURRENT);
    FileSystem fs = current.getFileSystem(conf);
    if (!fs.exists(current)) {
      return dir;
    }
    String version = new String(ModelStore.readAll(fs, current), StandardCharsets.UTF_8).strip();
    return new Path(new Path(dir, VERSIONS), version).toString();
  }

  /** The current version's name, if the registry has one. */
  public Optional<String> current() throws IOException {
    Path current = new Path(root, CURRENT);
    if (!fs.exists(current)) {
      return Optional.empty();
    }
    return Optional.of(new String(ModelStore.readAll(fs, current), StandardCharsets.UTF_8).strip());
  }

  public String versionDir(String version) {
    return new Path(new Path(root, VERSIONS), version).toString();
  }

  /** A name for the next version, after every existing one. */
  public String nextVersion() throws IOException {
    List<String> all = versions();
    int last = all.isEmpty() ? 0 : Integer.parseInt(all.get(all.size() - 1).substring(1));
    return String.format("%s%06d", VERSION_PREFIX, last + 1);
  }

  /** Committed versions, oldest first. */
  public List<String> versions() throws IOException {
    Path dir = new Path(root, VERSIONS);
    List<String> out = new ArrayList<>();
    if (fs.exists(dir)) {
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        if (st.isDirectory() && name.matches(VERSION_PREFIX + "\\d+")) {
          out.add(name);
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Makes {@code version} current by atomically replacing the pointer file. */
  public void promote(String version) throws IOException {
    ModelStore.writeAtomically(fs, new Path(root, CURRENT), (version + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Deletes the oldest versions beyond {@code keep}, never the current one. */
  public List<String> prune(int keep) throws IOException {
    List<String> all = versions();
    String current = current().orElse("");
    List<String> removed = new ArrayList<>();
    for (int i = 0; i < all.size() - keep; i++) {
      if (!all.get(i).equals(current)) {
        fs.delete(new Path(versionDir(all.get(i))), true);
        removed.add(all.get(i));
      }
    }
    return removed;
  }

  /**
   * Takes the registry's writer lock ({@link DirectoryLock}), or fails at once with
   * {@link DirectoryLock.HeldException} naming the holder when another live run has it.
   */
  public DirectoryLock lock(java.io.PrintStream log) throws IOException {
    return DirectoryLock.acquire(conf, root.toString(), "registry", log);
  }
}
