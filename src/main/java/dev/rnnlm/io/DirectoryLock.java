package dev.rnnlm.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * The one writer of a directory ({@code DIR/.lock}: pid, host, start time), on any Hadoop file
 * system. {@code train} holds it on its model directory and {@code retrain} on its registry.
 *
 * <p>Taking it creates the lock file exclusively and whole (a hard link on the local file system,
 * a rename on HDFS, both failing when the name exists), so of two writers exactly one wins. On
 * S3 ({@code s3a://}) the rename is a check for the name, then a copy: it refuses a lock that
 * exists, but two writers starting within that moment can both take it. A lock whose holder no longer runs on this host
 * (SIGKILL, a crash, a power cut) is stale and taken over with a warning; a lock held from another
 * host is never taken over, since its process cannot be checked from here. Released by
 * {@link #close}, and by a JVM shutdown hook on SIGTERM or Ctrl-C.
 */
public final class DirectoryLock implements AutoCloseable {
  public static final String FILE = ".lock";
  /** Before Hadoop closes its cached file systems (priority 10), so the lock can still be deleted. */
  private static final int SHUTDOWN_PRIORITY = 20;

  private final FileSystem fs;
  private final Path path;
  private final String pid;
  private final Runnable releaseOnShutdown;
  private boolean released;

  private DirectoryLock(FileSystem fs, Path path, String pid) {
    this.fs = fs;
    this.path = path;
    this.pid = pid;
    this.releaseOnShutdown = this::releaseQuietly;
    ShutdownHookManager.get().addShutdownHook(releaseOnShutdown, SHUTDOWN_PRIORITY);
  }

  /** Thrown when another live process holds the lock; the message names it. */
  public static final class HeldException extends IllegalStateException {
    HeldException(String message) {
      super(message);
    }
  }

  /** Who holds a lock, as its file records it. */
  record Holder(String pid, String host, String started) {
    @Override
    public String toString() {
      return "pid " + pid + " on " + host + " since " + started;
    }
  }

  /**
   * Takes the lock on {@code dir} (created when missing), or fails at once with
   * {@link HeldException} naming the holder when another live process has it. {@code what}
   * names the directory in messages ("model directory", "registry").
   */
  public static DirectoryLock acquire(Configuration conf, String dir, String what, PrintStream log)
      throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    if (fs instanceof LocalFileSystem checksummed) {
      fs = checksummed.getRaw(); // no .crc beside the lock: a stale one would make it unreadable
    }
    fs.mkdirs(root);
    Path path = new Path(root, FILE);
    String pid = Long.toString(ProcessHandle.current().pid());
    for (int attempt = 0; attempt < 2; attempt++) {
      if (createExclusively(fs, path, describeSelf(pid))) {
        return new DirectoryLock(fs, path, pid);
      }
      Optional<Holder> holder = readHolder(fs, path);
      if (holder.isEmpty()) {
        if (!fs.exists(path)) {
          continue; // released between our create and our read: try again
        }
        throw new HeldException(what + " " + dir + " is locked by another run (lock file "
            + path + " is being written or unreadable; delete it if no run is active)");
      }
      Holder h = holder.get();
      if (!isStale(h)) {
        throw new HeldException(what + " " + dir + " is in use by another run (" + h + ")");
      }
      log.println("warning: taking over the stale lock of " + h + " (no longer running) on "
          + what + " " + dir);
      fs.delete(path, false);
    }
    throw new HeldException(what + " " + dir + " is in use by another run");
  }

  /** Deletes the lock file, if it is still this process's. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    try {
      ShutdownHookManager.get().removeShutdownHook(releaseOnShutdown);
    } catch (IllegalStateException e) {
      // the JVM is shutting down (SIGTERM, Ctrl-C): the hook cannot be removed, the lock still goes
    }
    Optional<Holder> now = readHolder(fs, path);
    if (now.isPresent() && now.get().pid().equals(pid) && now.get().host().equals(host())) {
      fs.delete(path, false);
    }
  }

  private void releaseQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // the process is ending; a lock left behind is stale and taken over by the next run
    }
  }

  private static byte[] describeSelf(String pid) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", pid);
    p.setProperty("host", host());
    p.setProperty("started", Instant.now().toString());
    var bytes = new java.io.ByteArrayOutputStream();
    p.store(bytes, "spark-rnn-lm writer lock");
    return bytes.toByteArray();
  }

  /**
   * Creates {@code path} with {@code content} only if it does not exist, atomically and whole: the
   * content goes to a temporary file first, which then takes the name by an operation that fails
   * when the name exists (a hard link locally, a rename on HDFS). A reader never sees a partly
   * written lock, whose truncated pid could look like a process that is gone.
   */
  private static boolean createExclusively(FileSystem fs, Path path, byte[] content) throws IOException {
    Path tmp = new Path(path.getParent(), path.getName() + "." + java.util.UUID.randomUUID() + ".tmp");
    java.nio.file.Path local = ModelDirectory.localFile(fs, path);
    if (local != null) {
      java.nio.file.Path localTmp = ModelDirectory.localFile(fs, tmp);
      Files.write(localTmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.createLink(local, localTmp);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(localTmp);
      }
    }
    try (FSDataOutputStream out = fs.create(tmp, false)) {
      out.write(content);
    }
    try {
      return fs.rename(tmp, path);
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException taken) {
      return false; // Hadoop's rename contract lets a file system throw this (S3A does) or return false (HDFS)
    } finally {
      fs.delete(tmp, false);
    }
  }

  private static Optional<Holder> readHolder(FileSystem fs, Path path) {
    Properties p = new Properties();
    try (InputStream in = fs.open(path)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      return Optional.empty();
    }
    if (!p.containsKey("pid")) {
      return Optional.empty();
    }
    return Optional.of(new Holder(p.getProperty("pid"), p.getProperty("host", "?"),
        p.getProperty("started", "?")));
  }

  /**
   * A holder on this host whose process is gone, or whose pid now belongs to a process started
   * after the lock was taken (the pid was reused).
   */
  static boolean isStale(Holder h) {
    if (!h.host().equals(host())) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(h.pid());
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return true;
    }
    Optional<Instant> processStart = process.get().info().startInstant();
    try {
      Instant locked = Instant.parse(h.started());
      // start instants are rounded to the clock tick: allow a second of slack
      return processStart.isPresent() && processStart.get().isAfter(locked.plusSeconds(1));
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String name = ManagementFactory.getRuntimeMXBean().getName();
      return name.substring(name.indexOf('@') + 1);
    }
  }
}
