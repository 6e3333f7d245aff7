package dev.rnnlm.io;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model registry for scheduled retraining, on any Hadoop file system.
 *
 * <pre>
 * REG/CURRENT             name of the current version ("v000003"); replaced atomically
 * REG/versions/v000003/   a model directory, plus provenance.json
 * REG/.lock               held by the one retrain working on the registry (pid, host, time)
 * </pre>
 *
 * A registry is accepted wherever a model directory is: {@link #resolveModelDir} maps it to
 * its current version.
 */
public final class Registry {
  public static final String CURRENT = "CURRENT";
  public static final String VERSIONS = "versions";
  public static final String LOCK = ".lock";
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

  /** Held while a retrain works on the registry; release it by closing. */
  public final class Lock implements AutoCloseable {
    private final Path path = new Path(root, LOCK);

    @Override
    public void close() throws IOException {
      fs.delete(path, false);
    }
  }

  /** Thrown when another live retrain holds the registry. */
  public static final class LockedException extends IllegalStateException {
    LockedException(String message) {
      super(message);
    }
  }

  /**
   * Takes the registry's lock, or fails at once when another live process holds it. A lock
   * left by a process that no longer runs on this host is stale and taken over (the report
   * names it on {@code log}).
   */
  public Lock lock(java.io.PrintStream log) throws IOException {
    fs.mkdirs(root);
    Path path = new Path(root, LOCK);
    for (int attempt = 0; attempt < 2; attempt++) {
      try (FSDataOutputStream out = fs.create(path, false)) {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("host", host());
        p.setProperty("started", Instant.now().toString());
        p.store(out, "spark-rnn-lm retrain lock");
        return new Lock();
      } catch (FileAlreadyExistsException | org.apache.hadoop.ipc.RemoteException e) {
        // fall through to inspect the holder
      } catch (IOException e) {
        if (!fs.exists(path)) {
          throw e;
        }
      }
      Properties holder = new Properties();
      try (var in = fs.open(path)) {
        holder.load(in);
      } catch (IOException e) {
        // being written right now: treat as held
      }
      String pid = holder.getProperty("pid", "?");
      String host = holder.getProperty("host", "?");
      boolean stale = host.equals(host()) && !pid.equals("?")
          && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false) == false;
      if (!stale) {
        throw new LockedException("registry " + root + " is locked by another retrain (pid " + pid
            + " on " + host + " since " + holder.getProperty("started", "?") + ")");
      }
      log.println("warning: taking over stale lock of pid " + pid + " (no longer running) on " + root);
      fs.delete(path, false);
    }
    throw new LockedException("registry " + root + " is locked by another retrain");
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String name = ManagementFactory.getRuntimeMXBean().getName();
      return name.substring(name.indexOf('@') + 1);
    }
  }
}
