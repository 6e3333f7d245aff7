package dev.rnnlm.train;

/** Training met a non-finite loss or gradient; the step was not applied. */
public final class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(int epoch, int step, double lossSum, double gradNorm) {
    super(String.format("training diverged at epoch %d step %d: loss %s, gradient norm %s; the "
        + "step was not applied (lower --lr or --clip and --resume from the last checkpoint)",
        epoch, step, lossSum, gradNorm));
  }
}
