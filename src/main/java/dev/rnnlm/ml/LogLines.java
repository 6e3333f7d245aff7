package dev.rnnlm.ml;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * A stream whose lines go to a logger at INFO: the trainer reports to a {@link PrintStream}
 * (the command line's standard output), a fit inside an application reports to its log.
 */
final class LogLines extends OutputStream {
  private final Logger log;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private LogLines(Logger log) {
    this.log = log;
  }

  /** A print stream that logs each line it is given; a last line without a break on close. */
  static PrintStream to(Logger log) {
    return new PrintStream(new LogLines(log), true, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      flushLine();
    } else {
      line.write(b);
    }
  }

  @Override
  public synchronized void close() {
    if (line.size() > 0) {
      flushLine();
    }
  }

  private void flushLine() {
    log.info(line.toString(StandardCharsets.UTF_8));
    line.reset();
  }
}
