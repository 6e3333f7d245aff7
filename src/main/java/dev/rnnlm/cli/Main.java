package dev.rnnlm.cli;

import dev.rnnlm.io.DirectoryLock;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code rnnlm COMMAND [options]}: train, generate, evaluate, export, inspect, retrain, bench.
 * Exit status 0 on success, 1 when the work fails (bad input, unreadable model, not enough
 * memory, a failed Spark task), 2 for a command line that cannot be parsed, 3 when another run
 * holds the model directory or registry (train, retrain); retrain adds 4 (not promoted).
 *
 * <p>A failure is one line on standard error, {@code error: ...}, with its cause; train and
 * retrain keep the stack trace in their run log ({@code DIR/logs/}) and name it on that line.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int LOCKED = 3;

  private static final Map<String, String> COMMANDS = Map.of(
      "train", "train a model on a corpus",
      "generate", "generate text from a model",
      "evaluate", "perplexity of a text under a model",
      "bench", "measure training speed and Spark overhead per step",
      "export", "write a model's parameters as safetensors, vocabulary as JSON",
      "inspect", "describe a model directory",
      "retrain", "scheduled retraining: warm-start, train, promote in a registry if not worse");

  /** netlib announces its BLAS choice through java.util.logging; the trainer reports it itself. */
  private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib");

  private Main() {}

  public static void main(String[] args) {
    NETLIB_LOG.setLevel(java.util.logging.Level.WARNING);
    int code = run(args, System.out, System.err);
    // In YARN's cluster mode the application master runs main and reports SUCCEEDED when it
    // returns; System.exit, even with 0, makes it report FAILED (exit code 13) and start
    // another attempt.
    if (code == OK && "yarn".equals(System.getProperty("spark.master"))
        && "cluster".equals(System.getProperty("spark.submit.deployMode"))) {
      return;
    }
    System.exit(code);
  }

  /** Runs one command; prints results to {@code out} and one error line to {@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, null);
  }

  /** As {@link #run(String[], PrintStream, PrintStream)}, on a running Spark context when given. */
  public static int run(String[] args, PrintStream out, PrintStream err, JavaSparkContext spark) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      out.println(usage());
      return args.length == 0 ? USAGE : OK;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      return switch (args[0]) {
        case "train" -> TrainCommand.run(rest, out, spark);
        case "generate" -> GenerateCommand.run(rest, out);
        case "evaluate" -> EvaluateCommand.run(rest, out, err, spark);
        case "bench" -> BenchCommand.run(rest, out, spark);
        case "export" -> ExportCommand.run(rest, out);
        case "inspect" -> InspectCommand.run(rest, out);
        case "retrain" -> RetrainCommand.run(rest, out, spark);
        default -> throw new OptionParsing.UsageException("unknown command '" + args[0]
            + "' (see rnnlm --help)");
      };
    } catch (Throwable e) {
      Throwable cause = e instanceof LoggedFailure f ? f.getCause() : e;
      String log = e instanceof LoggedFailure f ? " (details: " + f.log + ")" : "";
      err.println("error: " + Failures.oneLine(cause, args[0]) + log);
      if (cause instanceof OptionParsing.UsageException) {
        return USAGE;
      }
      return cause instanceof DirectoryLock.HeldException ? LOCKED : FAILED;
    }
  }

  /** A failure whose stack trace went to a run log; {@link #getCause} is the failure itself. */
  static final class LoggedFailure extends RuntimeException {
    final String log;

    LoggedFailure(Throwable failure, String log) {
      super(failure.getMessage(), failure, false, false);
      this.log = log;
    }
  }

  private static String usage() {
    StringBuilder b = new StringBuilder("usage: rnnlm COMMAND [options]   (rnnlm COMMAND --help for its options)\n\ncommands:\n");
    for (String c : new String[] {"train", "generate", "evaluate", "export", "inspect", "retrain", "bench"}) {
      b.append(String.format("  %-10s %s%n", c, COMMANDS.get(c)));
    }
    return b.toString().stripTrailing();
  }
}
