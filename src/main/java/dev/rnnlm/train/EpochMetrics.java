package dev.rnnlm.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch as the epoch line and {@code metrics.jsonl} report it, and as
 * {@link TrainingListener#epochEnded} receives it.
 *
 * @param epoch 1-based
 * @param perplexity training perplexity over the epoch's steps
 * @param valPerplexity perplexity of the validation text after the epoch; null without validation text
 * @param valSeconds the validation's wall time; null without validation text
 * @param bits the perplexities as bits per byte of text
 * @param pace how fast it went
 * @param gradients its gradients before clipping
 */
public record EpochMetrics(int epoch, double perplexity, Double valPerplexity, Double valSeconds,
                           Bits bits, Pace pace, Gradients gradients) {
  /**
   * The perplexities as bits per byte of text ({@link Trainer#bitsPerByte}), comparable between
   * tokenizers; {@code validation} null without validation text.
   */
  public record Bits(double training, Double validation) {}

  /**
   * @param tokensPerSec training tokens per second of the epoch's steps
   * @param seconds since training started
   * @param syncs synchronizations in the epoch (its steps, without local steps)
   */
  public record Pace(double tokensPerSec, double seconds, int syncs) {}

  /**
   * @param norm mean global norm before clipping (with local steps: of the partitions' local gradients)
   * @param clippedFraction share of the steps (with local steps: of the partitions' local steps) clipped
   */
  public record Gradients(double norm, double clippedFraction) {}

  /** As {@code metrics.jsonl} holds it: one JSON object per epoch, its fields in this order. */
  public Map<String, Object> asJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("perplexity", perplexity);
    m.put("tokens_per_sec", pace.tokensPerSec());
    m.put("grad_norm", gradients.norm());
    m.put("clipped_fraction", gradients.clippedFraction());
    m.put("seconds", pace.seconds());
    m.put("syncs", pace.syncs());
    if (valPerplexity != null) {
      m.put("val_perplexity", valPerplexity);
      m.put("val_seconds", valSeconds);
    }
    m.put("bits_per_byte", bits.training());
    if (bits.validation() != null) {
      m.put("val_bits_per_byte", bits.validation());
    }
    return m;
  }
}
