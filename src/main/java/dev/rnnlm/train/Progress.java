package dev.rnnlm.train;

import java.io.PrintStream;

/**
 * The run on the console, a listener the {@link Trainer} registers first: progress within an
 * epoch and the epoch line. On a terminal the progress is one line (steps done/total, tokens/s,
 * ETA) redrawn in place and cleared after the epoch's last step. Otherwise (logs, cron): a plain
 * line at most every {@link #PLAIN_INTERVAL_NANOS}, so long epochs still show life without
 * flooding the log. The trainer prints its own lines within an epoch through {@link #println}.
 */
final class Progress implements TrainingListener {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final long PLAIN_INTERVAL_NANOS = 30_000_000_000L;

  private final PrintStream out;
  private final boolean terminal;
  /** Whether the epoch line ends with bits per byte (subword models). */
  private final boolean subwords;
  /** Whether the epoch line ends with the synchronizations (local steps). */
  private final boolean localSteps;
  private int epoch;
  private int total;
  private long start;
  private long lastPrinted;
  private boolean drawn;

  Progress(PrintStream out, boolean terminal, boolean subwords, boolean localSteps) {
    this.out = out;
    this.terminal = terminal;
    this.subwords = subwords;
    this.localSteps = localSteps;
  }

  /** Whether {@code out} is the process's terminal (not a pipe, file or test buffer). */
  static boolean isTerminal(PrintStream out) {
    return out == System.out && System.console() != null;
  }

  @Override
  public void epochStarted(int epochNumber, int totalSteps) {
    this.epoch = epochNumber;
    this.total = totalSteps;
    this.start = System.nanoTime();
    this.lastPrinted = start;
  }

  @Override
  public void stepEnded(StepMetrics step) {
    stepDone(step.step(), step.epochTokens());
  }

  private void stepDone(int done, long tokens) {
    if (done == total) {
      clear(); // what follows the epoch's last step starts a line of its own
      return;
    }
    long now = System.nanoTime();
    long interval = terminal ? REDRAW_NANOS : PLAIN_INTERVAL_NANOS;
    if (now - lastPrinted < interval) {
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
    clear();
    out.println(line);
  }

  /**
   * The epoch line. Subword models add their bits per byte at its end; the line of character and
   * word models keeps the form it has always had (their bits per byte are in metrics.jsonl).
   */
  @Override
  public void epochEnded(EpochMetrics m) {
    clear();
    String bits = "";
    if (subwords) {
      bits = String.format(" bits_per_byte %.4f", m.bits().training())
          + (m.bits().validation() == null ? "" : String.format(" val_bits_per_byte %.4f", m.bits().validation()));
    }
    out.printf("epoch %d perplexity %.3f tokens/s %.0f grad_norm %.4f clipped %.2f elapsed %.1fs%s%s%s%n",
        m.epoch(), m.perplexity(), m.pace().tokensPerSec(), m.gradients().norm(),
        m.gradients().clippedFraction(), m.pace().seconds(),
        m.valPerplexity() == null ? "" : String.format(" val_perplexity %.3f", m.valPerplexity()),
        localSteps ? " syncs " + m.pace().syncs() : "", bits);
  }

  /** Clears the in-place line, when one is drawn. */
  private void clear() {
    if (drawn) {
      out.print("\r\u001b[K");
      drawn = false;
    }
  }
}
