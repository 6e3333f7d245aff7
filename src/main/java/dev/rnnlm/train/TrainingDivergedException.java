package dev.rnnlm.train;

/** Training met a non-finite loss or gradient; the step was not applied. */
public final class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(int epoch, int step, double lossSum, double gradNorm) {
    super(String.format("training diverged at epoch %d step %d: loss %s, gradient norm %s; the "
        + "step was not applied", epoch, step, lossSum, gradNorm));
  }

  private TrainingDivergedException(String message) {
    super(message);
  }

  /** The same failure, with where the last good checkpoint is (or that there is none). */
  public TrainingDivergedException withCheckpoint(String lastCheckpoint) {
    return new TrainingDivergedException(getMessage() + (lastCheckpoint == null
        ? "; no checkpoint was written" : "; last good checkpoint: " + lastCheckpoint
        + " (lower --lr and train again with --resume)"));
  }
}
