package dev.rnnlm.train;

import dev.rnnlm.io.ModelStore;
import java.io.IOException;
import java.util.Map;

/**
 * Appends each epoch's line to {@code DIR/metrics.jsonl} on the run's writer thread: a listener
 * the {@link Trainer} registers for every run.
 */
final class MetricsAppender implements TrainingListener {
  private final BackgroundWriter writer;
  private final ModelStore store;
  private final String modelDir;

  MetricsAppender(BackgroundWriter writer, ModelStore store, String modelDir) {
    this.writer = writer;
    this.store = store;
    this.modelDir = modelDir;
  }

  @Override
  public void epochEnded(EpochMetrics epoch) throws IOException {
    Map<String, Object> json = epoch.asJson();
    writer.submit("metrics", () -> store.appendMetrics(modelDir, json));
  }
}
