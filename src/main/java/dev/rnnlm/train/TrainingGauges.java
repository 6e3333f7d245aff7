package dev.rnnlm.train;

/**
 * Where training stands, as the driver's {@link TrainingMetricsPlugin} reports it to Spark's
 * metrics system: written by {@link #LISTENER}, which the {@link Trainer} of this JVM registers
 * for every run, after each synchronization, epoch and checkpoint; read by the metrics sinks'
 * threads. NaN (or -1 for counts) until there is a value.
 */
public final class TrainingGauges {
  private static volatile long steps = -1;
  private static volatile int epoch = -1;
  private static volatile double perplexity = Double.NaN;
  private static volatile double validationPerplexity = Double.NaN;
  private static volatile double tokensPerSecond = Double.NaN;
  private static volatile double gradientNorm = Double.NaN;
  private static volatile long lastCheckpointStep = -1;
  private static volatile double syncSeconds = Double.NaN;

  /** Sets the gauges from a run's events. */
  static final TrainingListener LISTENER = new TrainingListener() {
    @Override
    public void stepEnded(StepMetrics step) {
      stepDone(step.steps(), step.epoch(), step.epochTokens() / step.epochSeconds(), step.gradNorm(),
          step.seconds());
    }

    @Override
    public void epochEnded(EpochMetrics epoch) {
      TrainingGauges.epochEnded(epoch.perplexity(),
          epoch.valPerplexity() == null ? Double.NaN : epoch.valPerplexity());
    }

    @Override
    public void checkpointWritten(long steps, String path) {
      checkpointed(steps);
    }
  };

  private TrainingGauges() {}

  /** After a synchronization: optimizer steps so far, the 1-based epoch, this epoch's pace, the gradient norm and the synchronization's time. */
  private static void stepDone(long stepsDone, int epochNumber, double epochTokensPerSecond, double norm,
                               double seconds) {
    steps = stepsDone;
    epoch = epochNumber;
    tokensPerSecond = epochTokensPerSecond;
    gradientNorm = norm;
    syncSeconds = seconds;
  }

  /** After an epoch: its training perplexity, and the validation perplexity (NaN without validation). */
  private static void epochEnded(double trainingPerplexity, double validation) {
    perplexity = trainingPerplexity;
    validationPerplexity = validation;
  }

  /** A checkpoint was queued after {@code stepsDone} optimizer steps. */
  private static void checkpointed(long stepsDone) {
    lastCheckpointStep = stepsDone;
  }

  public static long steps() {
    return steps;
  }

  public static int epoch() {
    return epoch;
  }

  public static double perplexity() {
    return perplexity;
  }

  public static double validationPerplexity() {
    return validationPerplexity;
  }

  public static double tokensPerSecond() {
    return tokensPerSecond;
  }

  public static double gradientNorm() {
    return gradientNorm;
  }

  public static long lastCheckpointStep() {
    return lastCheckpointStep;
  }

  public static double syncSeconds() {
    return syncSeconds;
  }
}
