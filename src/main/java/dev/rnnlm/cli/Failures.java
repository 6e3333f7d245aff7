package dev.rnnlm.cli;

import dev.rnnlm.data.InputException;
import dev.rnnlm.train.TrainOption;
import dev.rnnlm.train.TrainOptions;
import dev.rnnlm.values.NamedValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A failure as the one console line a user reads: what failed and why, no stack trace. */
final class Failures {
  /** Spark's text for a job stopped by a failed task: which task, where, and its exception's first line. */
  private static final Pattern TASK_FAILURE = Pattern.compile(
      "most recent failure: Lost task (\\S+) in stage (\\S+) \\(TID \\d+\\) \\(([^)]*)\\): ([^\\n]*)");
  private static final String OWN_PACKAGE = "dev.rnnlm.";
  /**
   * Spark's words for a context stopped under a running job (SIGTERM, Ctrl-C, an embedding
   * program), including a task refused by the executor's thread pool as it shuts down.
   */
  private static final Pattern SPARK_STOPPED = Pattern.compile("SparkContext (was|has been|is) "
      + "(shut ?down|stopped)|stopped SparkContext|rejected from \\S+\\[(Shutting down|Terminated)");

  private Failures() {}

  static String oneLine(Throwable t) {
    return firstLine(describe(t));
  }

  /**
   * As {@link #oneLine(Throwable)} for the failure of {@code command}: a Spark context stopped
   * under a command that trains says how to resume; under any other it says what stops one.
   */
  static String oneLine(Throwable t, String command) {
    boolean trains = command.equals("train") || command.equals("retrain") || command.equals("bench");
    if (!trains && stoppedSpark(t)) {
      return "stopped: Spark was shut down before the " + command + " job finished (the process was"
          + " interrupted, or the Spark master stopped or could not be reached: check --master)";
    }
    return oneLine(t);
  }

  private static boolean stoppedSpark(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && SPARK_STOPPED.matcher(c.getMessage()).find()) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable t) {
    if (t instanceof OutOfMemoryError) {
      return String.format(Locale.ROOT, "the driver ran out of memory (%s) in a heap of %,d MiB; use a "
          + "smaller vocabulary (--max-vocab, --min-freq), --hidden or --batch, or a larger heap "
          + "(spark.driver.memory; RNNLM_JAVA_OPTS=-Xmx... for scripts/rnnlm)", t.getMessage(),
          Runtime.getRuntime().maxMemory() >> 20);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && SPARK_STOPPED.matcher(c.getMessage()).find()) {
        return "stopped: Spark was shut down while training (the process was interrupted or its "
            + "Spark context stopped); continue from the newest checkpoint with --resume";
      }
      if (c.getMessage() != null) {
        Matcher m = TASK_FAILURE.matcher(c.getMessage());
        if (m.find()) {
          return "a Spark task failed (task " + m.group(1) + " in stage " + m.group(2) + ", "
              + m.group(3) + "): " + withoutOwnClassName(m.group(4));
        }
      }
    }
    if (t instanceof NamedValues named && named.template() != null) {
      // The packages below name the values in their own terms; these are train's options.
      return TrainOptions.message(named, TrainOption::flag);
    }
    if (t.getMessage() != null && isExpected(t)) {
      return t.getMessage();
    }
    return t.toString();
  }

  /** Failures whose message is written for the user; others show their class too. */
  private static boolean isExpected(Throwable t) {
    return t instanceof OptionParsing.UsageException || t instanceof InputException
        || t instanceof IllegalArgumentException || t instanceof IllegalStateException
        || t instanceof IOException || t instanceof UncheckedIOException
        || t.getClass().getName().startsWith(OWN_PACKAGE);
  }

  /** "dev.rnnlm.engine.TaskOutOfMemoryException: partition 0 ..." -> "partition 0 ...". */
  private static String withoutOwnClassName(String exception) {
    int colon = exception.indexOf(": ");
    if (exception.startsWith(OWN_PACKAGE) && colon > 0) {
      return exception.substring(colon + 2);
    }
    return exception;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
