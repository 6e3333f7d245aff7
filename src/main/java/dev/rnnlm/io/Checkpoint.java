package dev.rnnlm.io;

import dev.rnnlm.optim.OptimizerState;
import java.util.List;

/**
 * Everything needed to continue training exactly where it stopped: the model (parameters,
 * vocabulary, options), the position inside the epoch, each partition's carried hidden state,
 * the optimizers' state, the epoch's running sums, and the history the log and plot are drawn
 * from. Every random choice is derived from (seed, epoch, partition), so nothing else is needed
 * for a bit-identical continuation.
 *
 * @param model parameters, vocabulary and options; {@code position().epochs()} is the epochs completed
 * @param position where in the run the next step is
 * @param carried what the next step continues from besides the parameters
 * @param sums the epoch's running sums up to that step
 * @param history the completed epochs' perplexities
 */
public record Checkpoint(SavedModel model, Position position, Carried carried, RunningSums sums,
                         History history) {
  /**
   * Each partition's carried state (null when none is carried) and the optimizers' states: the
   * driver's optimizer (its step count and moments), and after local steps the outer update's.
   */
  public record Carried(float[][] states, List<OptimizerState> optimizers) {
    public Carried {
      optimizers = List.copyOf(optimizers);
    }

    /** States only: no optimizer state. */
    public static Carried states(float[][] states) {
      return new Carried(states, List.of());
    }

    /** The state of the optimizer named {@code name}, if kept. */
    public java.util.Optional<OptimizerState> optimizer(String name) {
      return optimizers.stream().filter(o -> o.optimizer().equals(name)).findFirst();
    }
  }

  /** The epoch in progress (0-based) and the next step within it. */
  public record Position(int epoch, int step) {
    /** The start of epoch {@code epoch}. */
    public static Position startOf(int epoch) {
      return new Position(epoch, 0);
    }
  }

  /**
   * An epoch's sums so far: loss, target tokens, gradient norms (before clipping) and the steps
   * whose gradient was clipped. With local steps a step's norm is the partitions' mean and its
   * clipped count the share of partitions that clipped, so both stay per step.
   */
  public record RunningSums(double lossSum, long tokens, double normSum, double clipped) {
    public static final RunningSums NONE = new RunningSums(0, 0, 0, 0);

    /** These sums and some more steps': their loss, tokens, summed norms and clipped steps. */
    public RunningSums plus(double stepLoss, long stepTokens, double norms, double clippedSteps) {
      return new RunningSums(lossSum + stepLoss, tokens + stepTokens, normSum + norms,
          clipped + clippedSteps);
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

  public double clipped() {
    return sums.clipped();
  }

  public float[][] states() {
    return carried.states();
  }

  public List<Double> perplexities() {
    return history.perplexities();
  }

  public List<Double> valPerplexities() {
    return history.valPerplexities();
  }
}
