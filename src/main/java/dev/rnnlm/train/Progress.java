package dev.rnnlm.train;

import java.io.PrintStream;

/**
 * Progress within an epoch. On a terminal: one line (steps done/total, tokens/s, ETA) redrawn
 * in place. Otherwise (logs, cron): a plain line at most every {@link #PLAIN_INTERVAL_NANOS},
 * so long epochs still show life without flooding the log.
 */
final class Progress {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final long PLAIN_INTERVAL_NANOS = 30_000_000_000L;

  private final PrintStream out;
  private final boolean terminal;
  private int epoch;
  private int total;
  private long start;
  private long lastPrinted;
  private boolean drawn;

  Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Whether {@code out} is the process's terminal (not a pipe, file or test buffer). */
  static boolean isTerminal(PrintStream out) {
    return out == System.out && System.console() != null;
  }

  void startEpoch(int epoch, int totalSteps) {
    this.epoch = epoch;
    this.total = totalSteps;
    this.start = System.nanoTime();
    this.lastPrinted = start;
  }

  void stepDone(int done, long tokens) {
    long now = System.nanoTime();
    long interval = terminal ? REDRAW_NANOS : PLAIN_INTERVAL_NANOS;
    if (now - lastPrinted < interval || done == total) {
      return;
    }
    lastPrinted = now;
    double seconds = (now - start) / 1e9;
    double eta = seconds / done * (total - done);
    String line = String.format("epoch %d step %d/%d tokens/s %.0f eta %.0fs",
        epoch, done, total, tokens / seconds, eta);
    if (terminal) {
      out.print("\r" + line + "\u001b[K");
      drawn = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Prints a line of its own within the epoch (a validation): the in-place line is cleared first. */
  void println(String line) {
    endEpoch();
    out.println(line);
  }

  /** Clears the in-place line before the epoch's summary line is printed. */
  void endEpoch() {
    if (drawn) {
      out.print("\r\u001b[K");
      drawn = false;
    }
  }
}
