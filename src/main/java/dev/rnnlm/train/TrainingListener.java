package dev.rnnlm.train;

import java.io.IOException;

/**
 * What a training run reports as it goes, for whatever writes it down. The {@link Trainer}
 * writes its own outputs through listeners it registers first (the console's progress and epoch
 * lines, {@code metrics.jsonl}, {@code training.png}, the gauges of {@link TrainingMetricsPlugin});
 * a program embedding the trainer adds its own with {@link Trainer#addListener}, called after
 * those, in the order added.
 *
 * <p>Every method is called on the thread that called {@link Trainer#run}, in the run's order:
 * per epoch {@link #epochStarted}, {@link #stepEnded} after each synchronization (with
 * {@link #checkpointWritten} after the steps that take one), {@link #epochEnded}, then
 * {@link #checkpointWritten} when the epoch ends with one; {@link #runFinished} once the model is
 * saved. A resumed run reports from where it resumes. A method that throws stops the run with
 * that exception (an {@code IOException} naming the last good checkpoint); when the run fails
 * {@link #runFinished} is not called. Each method does nothing unless overridden.
 */
public interface TrainingListener {
  /** Epoch {@code epoch} (1-based) of {@code steps} steps starts, or resumes within them. */
  default void epochStarted(int epoch, int steps) throws IOException {}

  /**
   * A synchronization has been applied to the parameters. {@code step} is one object per run,
   * updated in place ({@link StepMetrics}): keep copies of its figures, not the object. Called
   * after every synchronization, so it had better be cheap.
   */
  default void stepEnded(StepMetrics step) throws IOException {}

  /** An epoch ended, validated when there is validation text: its figures as {@code metrics.jsonl} holds them. */
  default void epochEnded(EpochMetrics epoch) throws IOException {}

  /**
   * A checkpoint of the run after {@code steps} optimizer steps is written to {@code path}:
   * called when it is handed to the run's writer thread, which writes it after everything handed
   * to it before. It is complete when {@link #runFinished} is called; a write that fails stops
   * the run instead.
   */
  default void checkpointWritten(long steps, String path) throws IOException {}

  /** The run ended and its model is saved in the model directory (every checkpoint and metric written). */
  default void runFinished(Trainer.Outcome outcome) throws IOException {}
}
