package dev.rnnlm.io;

import java.util.List;

/**
 * Everything needed to continue training exactly where it stopped: the model (parameters,
 * vocabulary, options), the position inside the epoch, each partition's carried hidden state,
 * the epoch's running sums, and the history the log and plot are drawn from. SGD has no state
 * of its own, and every random choice is derived from (seed, epoch, partition), so nothing
 * else is needed for a bit-identical continuation.
 *
 * @param model parameters, vocabulary and options; {@code position().epochs()} is the epochs completed
 * @param position where in the run the next step is
 * @param states each partition's carried state (null when none is carried)
 * @param sums the epoch's running sums up to that step
 * @param history the completed epochs' perplexities
 */
public record Checkpoint(SavedModel model, Position position, float[][] states, RunningSums sums,
                         History history) {
  /** The epoch in progress (0-based) and the next step within it. */
  public record Position(int epoch, int step) {
    /** The start of epoch {@code epoch}. */
    public static Position startOf(int epoch) {
      return new Position(epoch, 0);
    }
  }

  /**
   * An epoch's sums so far: loss, target tokens, gradient norms (before clipping) and the steps
   * whose gradient was clipped.
   */
  public record RunningSums(double lossSum, long tokens, double normSum, int clipped) {
    public static final RunningSums NONE = new RunningSums(0, 0, 0, 0);

    /** These sums and one more step's. */
    public RunningSums plus(double stepLoss, long stepTokens, double norm, boolean wasClipped) {
      return new RunningSums(lossSum + stepLoss, tokens + stepTokens, normSum + norm,
          clipped + (wasClipped ? 1 : 0));
    }
  }

  /** Training and validation perplexity of each completed epoch (validation empty without it). */
  public record History(List<Double> perplexities, List<Double> valPerplexities) {
    public History {
      perplexities = List.copyOf(perplexities);
      valPerplexities = List.copyOf(valPerplexities);
    }
  }

  public int epoch() {
    return position.epoch();
  }

  public int step() {
    return position.step();
  }

  public double lossSum() {
    return sums.lossSum();
  }

  public long tokens() {
    return sums.tokens();
  }

  public double normSum() {
    return sums.normSum();
  }

  public int clipped() {
    return sums.clipped();
  }

  public List<Double> perplexities() {
    return history.perplexities();
  }

  public List<Double> valPerplexities() {
    return history.valPerplexities();
  }
}
