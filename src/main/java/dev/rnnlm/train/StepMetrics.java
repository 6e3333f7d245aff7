package dev.rnnlm.train;

/**
 * One synchronization as {@link TrainingListener#stepEnded} receives it: a step, or with local
 * steps ({@code --sync-every}) a round of them. A run passes the same object after every
 * synchronization, updated in place, so that its steps allocate nothing for their listeners:
 * read it during the call and copy what is kept.
 */
public final class StepMetrics {
  private long steps;
  private int epoch;
  private int step;
  private int stepsInEpoch;
  private double lossSum;
  private long tokens;
  private double gradNorm;
  private long epochTokens;
  private double epochSeconds;
  private double seconds;

  StepMetrics() {}

  /** Sets every figure (see the accessors); returns this. */
  StepMetrics set(long stepsDone, int epochNumber, int stepsDoneInEpoch, int epochSteps,
                  double stepLossSum, long stepTokens, double norm, long tokensInEpoch,
                  double secondsInEpoch, double syncSeconds) {
    steps = stepsDone;
    epoch = epochNumber;
    step = stepsDoneInEpoch;
    stepsInEpoch = epochSteps;
    lossSum = stepLossSum;
    tokens = stepTokens;
    gradNorm = norm;
    epochTokens = tokensInEpoch;
    epochSeconds = secondsInEpoch;
    seconds = syncSeconds;
    return this;
  }

  /** Optimizer steps of the run so far (a resumed run counts those before it too). */
  public long steps() {
    return steps;
  }

  /** The epoch, 1-based. */
  public int epoch() {
    return epoch;
  }

  /** Steps of the epoch done, of {@link #stepsInEpoch}. */
  public int step() {
    return step;
  }

  /** Steps of the epoch (they vary with its window offset). */
  public int stepsInEpoch() {
    return stepsInEpoch;
  }

  /** The synchronization's summed loss over its {@link #tokens}, in nats. */
  public double lossSum() {
    return lossSum;
  }

  /** Training tokens of the synchronization. */
  public long tokens() {
    return tokens;
  }

  /** Mean loss per token of the synchronization, in nats. */
  public double loss() {
    return lossSum / tokens;
  }

  /**
   * Global norm before clipping of the applied gradient: the mean gradient's, or with local steps
   * the outer change's.
   */
  public double gradNorm() {
    return gradNorm;
  }

  /** Training tokens of the epoch so far (of a resumed epoch: since the resumption). */
  public long epochTokens() {
    return epochTokens;
  }

  /** Wall time of the epoch's steps so far, validations within it not counted. */
  public double epochSeconds() {
    return epochSeconds;
  }

  /** Wall time of the synchronization: the distributed step and the driver's update. */
  public double seconds() {
    return seconds;
  }

  @Override
  public String toString() {
    return "step " + steps + " (epoch " + epoch + " step " + step + "/" + stepsInEpoch + ") loss "
        + loss() + " grad_norm " + gradNorm;
  }
}
