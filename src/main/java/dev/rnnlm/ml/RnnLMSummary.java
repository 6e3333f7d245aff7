package dev.rnnlm.ml;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What training reported per epoch: the lines of the model directory's {@code metrics.jsonl},
 * the same numbers {@code rnnlm train} logs.
 */
public final class RnnLMSummary implements Serializable {
  private final List<EpochMetrics> epochs;

  /**
   * One epoch's line of {@code metrics.jsonl}.
   *
   * @param epoch 1-based epoch number
   * @param perplexity training perplexity over the epoch's steps
   * @param tokensPerSecond training throughput
   * @param gradientNorm mean gradient norm before clipping
   * @param clippedFraction fraction of steps whose gradient was clipped
   * @param seconds time since training started
   * @param validationPerplexity perplexity of the held-out text; null without validation
   */
  public record EpochMetrics(int epoch, double perplexity, double tokensPerSecond,
                             double gradientNorm, double clippedFraction, double seconds,
                             Double validationPerplexity) implements Serializable {}

  RnnLMSummary(List<Map<String, Number>> lines) {
    this.epochs = lines.stream().map(RnnLMSummary::epoch).toList();
  }

  private static EpochMetrics epoch(Map<String, Number> m) {
    Number val = m.get("val_perplexity");
    return new EpochMetrics(m.get("epoch").intValue(), m.get("perplexity").doubleValue(),
        m.get("tokens_per_sec").doubleValue(), m.get("grad_norm").doubleValue(),
        m.get("clipped_fraction").doubleValue(), m.get("seconds").doubleValue(),
        val == null ? null : val.doubleValue());
  }

  /** Every epoch trained, in order. */
  public List<EpochMetrics> epochs() {
    return epochs;
  }

  /** The training perplexity of each epoch, in order. */
  public double[] perplexityHistory() {
    return epochs.stream().mapToDouble(EpochMetrics::perplexity).toArray();
  }

  /** The validation perplexity of each epoch, in order; empty without validation. */
  public double[] validationPerplexityHistory() {
    return epochs.stream().filter(e -> e.validationPerplexity() != null)
        .mapToDouble(EpochMetrics::validationPerplexity).toArray();
  }
}
