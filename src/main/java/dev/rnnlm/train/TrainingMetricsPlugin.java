package dev.rnnlm.train;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.function.Supplier;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Training's progress in Spark's metrics system: a Spark plugin ({@code spark.plugins}, which
 * {@code train} and {@code retrain} set by default) whose driver side registers gauges of
 * {@link TrainingGauges}, so every sink a cluster configures (Prometheus servlet, JMX, Graphite,
 * CSV) exports them as {@code <app>.driver.plugin.dev.rnnlm.train.TrainingMetricsPlugin.<name>}.
 */
public final class TrainingMetricsPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public void registerMetrics(String appId, PluginContext context) {
        MetricRegistry registry = context.metricRegistry();
        gauge(registry, "step", TrainingGauges::steps);
        gauge(registry, "epoch", TrainingGauges::epoch);
        gauge(registry, "perplexity", TrainingGauges::perplexity);
        gauge(registry, "val_perplexity", TrainingGauges::validationPerplexity);
        gauge(registry, "tokens_per_sec", TrainingGauges::tokensPerSecond);
        gauge(registry, "grad_norm", TrainingGauges::gradientNorm);
        gauge(registry, "last_checkpoint_step", TrainingGauges::lastCheckpointStep);
        gauge(registry, "sync_seconds", TrainingGauges::syncSeconds);
      }
    };
  }

  /** Nothing runs on the executors. */
  @Override
  public ExecutorPlugin executorPlugin() {
    return null;
  }

  private static <T> void gauge(MetricRegistry registry, String name, Supplier<T> value) {
    registry.register(name, (Gauge<T>) value::get);
  }
}
