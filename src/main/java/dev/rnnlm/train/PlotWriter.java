package dev.rnnlm.train;

import dev.rnnlm.io.ModelStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Redraws {@code DIR/training.png} (every epoch's training and validation perplexity) on the
 * run's writer thread, at most every {@link #INTERVAL_NANOS} and after the last epoch: a
 * listener the {@link Trainer} registers for every run.
 */
final class PlotWriter implements TrainingListener {
  private static final long INTERVAL_NANOS = 5_000_000_000L;

  private final BackgroundWriter writer;
  private final ModelStore store;
  private final String modelDir;
  private final int lastEpoch;
  private final List<Double> training;
  private final List<Double> validation;
  private long lastPlotNanos;

  /**
   * A plot of a run of {@code lastEpoch} epochs; a resumed run passes the perplexities of the
   * epochs before it ({@code validation} empty without validation text).
   */
  PlotWriter(BackgroundWriter writer, ModelStore store, String modelDir, int lastEpoch,
             List<Double> trainingBefore, List<Double> validationBefore) {
    this.writer = writer;
    this.store = store;
    this.modelDir = modelDir;
    this.lastEpoch = lastEpoch;
    this.training = new ArrayList<>(trainingBefore);
    this.validation = new ArrayList<>(validationBefore);
  }

  @Override
  public void epochEnded(EpochMetrics epoch) throws IOException {
    training.add(epoch.perplexity());
    if (epoch.valPerplexity() != null) {
      validation.add(epoch.valPerplexity());
    }
    long now = System.nanoTime();
    if (epoch.epoch() != lastEpoch && lastPlotNanos != 0 && now - lastPlotNanos < INTERVAL_NANOS) {
      return;
    }
    lastPlotNanos = now;
    List<Double> t = List.copyOf(training);
    List<Double> v = List.copyOf(validation);
    writer.submit("the training plot", () -> store.writePlot(modelDir, epochNumbers(t.size()), t, v));
  }

  private static List<Integer> epochNumbers(int count) {
    List<Integer> epochs = new ArrayList<>(count);
    for (int e = 1; e <= count; e++) {
      epochs.add(e);
    }
    return epochs;
  }
}
