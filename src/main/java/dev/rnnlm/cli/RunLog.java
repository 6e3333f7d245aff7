package dev.rnnlm.cli;

import dev.rnnlm.io.ModelDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The log of one run that writes a directory ({@code DIR/logs/COMMAND-yyyyMMdd-HHmmss-PID.log}).
 * While it is open, log4j's messages (Spark's warnings and errors, with their stack traces) and
 * whatever is printed to {@code System.err} (stack traces that threads print themselves, such as
 * Spark's pools rejecting work while a failed job winds down) go to it instead of the console, so
 * the console shows the program's own lines and, on failure, one {@code error:} line naming this
 * file (printed on the stream the command was given); {@link #failed} appends the failure's stack
 * trace.
 *
 * <p>On a local file system the file is written in place. On others (HDFS, S3) it is written
 * to a local temporary file and copied into {@code DIR/logs/} when the log is closed.
 */
final class RunLog implements AutoCloseable {
  private static final String APPENDER = "rnnlm-run-log";
  /** Logs kept per directory: the newest runs'. */
  static final int KEEP = 20;

  private final java.nio.file.Path localFile;
  private final FileSystem fs;
  private final Path destination; // where the file ends up (named in messages)
  private final boolean copyOnClose;
  private final List<Appender> detached = new ArrayList<>();
  private final FileAppender appender;
  /** Set when the JVM begins to shut down (a signal): the console then stays quiet to the end. */
  private volatile boolean jvmEnding;
  private final Thread shutdownWatch = new Thread(() -> jvmEnding = true, "rnnlm-run-log-shutdown");
  /** System.err before this log took it over; put back on close. */
  private final java.io.PrintStream consoleErr = System.err;
  private final LazyAppend errToLog;
  private final java.io.PrintStream errStream;

  private RunLog(java.nio.file.Path localFile, FileSystem fs, Path destination, boolean copyOnClose) {
    this.localFile = localFile;
    this.fs = fs;
    this.destination = destination;
    this.copyOnClose = copyOnClose;
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    var config = context.getConfiguration();
    appender = FileAppender.newBuilder()
        .setName(APPENDER)
        .withFileName(localFile.toString())
        .withAppend(true)
        .withCreateOnDemand(true)
        .setLayout(PatternLayout.newBuilder().withConfiguration(config)
            .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %p [%t] %c{1}: %m%n").build())
        .setConfiguration(config)
        .build();
    appender.start();
    config.addAppender(appender);
    LoggerConfig root = config.getRootLogger();
    detached.addAll(root.getAppenders().values());
    for (Appender a : detached) {
      root.removeAppender(a.getName());
    }
    root.addAppender(appender, null, null);
    context.updateLoggers();
    errToLog = new LazyAppend(localFile);
    errStream = new java.io.PrintStream(errToLog, true, StandardCharsets.UTF_8);
    System.setErr(errStream);
    Runtime.getRuntime().addShutdownHook(shutdownWatch);
  }

  /** Appends to the file, opened on the first byte (as the log4j appender creates it on demand). */
  private static final class LazyAppend extends java.io.OutputStream {
    private final java.nio.file.Path file;
    private java.io.OutputStream out;
    private boolean failed;

    LazyAppend(java.nio.file.Path file) {
      this.file = file;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      if (out == null && !failed) {
        try {
          out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
          failed = true; // the text is dropped rather than put on the console
        }
      }
      if (out != null) {
        out.write(b, off, len);
      }
    }

    @Override
    public synchronized void flush() throws IOException {
      if (out != null) {
        out.flush();
      }
    }

    @Override
    public synchronized void close() throws IOException {
      if (out != null) {
        out.close();
      }
    }
  }

  /** Starts the log of {@code command} in {@code dir}/logs (created). */
  static RunLog start(Configuration conf, String dir, String command) throws IOException {
    Path logs = new Path(dir, ModelDirectory.LOGS);
    FileSystem fs = logs.getFileSystem(conf);
    fs.mkdirs(logs);
    String name = String.format("%s-%s-%d.log", command,
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")),
        ProcessHandle.current().pid());
    Path destination = new Path(logs, name);
    pruneOldLogs(fs, logs);
    java.nio.file.Path inPlace = ModelDirectory.localFile(fs, destination);
    if (inPlace != null) {
      return new RunLog(inPlace, fs, destination, false);
    }
    java.nio.file.Path local = Files.createTempFile("rnnlm-" + command + "-", ".log");
    return new RunLog(local, fs, destination, true);
  }

  /** Keeps the newest {@link #KEEP} - 1 logs, making room for this run's. */
  private static void pruneOldLogs(FileSystem fs, Path logs) throws IOException {
    List<Path> all = new ArrayList<>();
    for (var st : fs.listStatus(logs)) {
      if (st.isFile() && st.getPath().getName().endsWith(".log")) {
        all.add(st.getPath());
      }
    }
    // names start with the command, then a sortable time: sort by time, oldest first
    all.sort(java.util.Comparator.comparing((Path p) -> p.getName().substring(p.getName().indexOf('-'))));
    for (int i = 0; i < all.size() - (KEEP - 1); i++) {
      fs.delete(all.get(i), false);
    }
  }

  /** Where the log is (or will be, once closed). */
  Path path() {
    return destination;
  }

  /**
   * Appends {@code failure}'s stack trace to the log and returns the exception for the console:
   * the same failure, with the log's path for the details.
   */
  Main.LoggedFailure failed(Throwable failure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    try {
      Files.writeString(localFile, "failed: " + trace, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the console line still names the failure
    }
    return new Main.LoggedFailure(failure, destination.toString());
  }

  /**
   * Puts the console back (unless the JVM is ending: on SIGTERM or Ctrl-C Spark stops under the
   * running job, and its warnings and the stack traces of its rejected futures would then follow
   * the error line) and, off the local file system, copies the file into place.
   */
  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownWatch);
    } catch (IllegalStateException e) {
      jvmEnding = true;
    }
    if (jvmEnding) {
      errToLog.flush();
      copyIfRemote();
      return;
    }
    if (System.err == errStream) { // not if another log took it over since (runs in one JVM)
      System.setErr(consoleErr);
    }
    errToLog.close();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    var config = context.getConfiguration();
    LoggerConfig root = config.getRootLogger();
    root.removeAppender(APPENDER);
    for (Appender a : detached) {
      root.addAppender(a, null, null);
    }
    context.updateLoggers();
    appender.stop();
    copyIfRemote();
  }

  private void copyIfRemote() throws IOException {
    if (copyOnClose && Files.exists(localFile)) {
      fs.copyFromLocalFile(false, true, new Path(localFile.toUri()), destination);
    }
  }
}
