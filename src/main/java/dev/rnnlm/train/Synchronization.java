package dev.rnnlm.train;

import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.values.InvalidValueException;

/**
 * How often the partitions synchronize and how their results are added.
 *
 * <p>{@code every = 1} is the book's algorithm: every step the partitions' gradient sums are added,
 * averaged, clipped and applied on the driver. {@code every = K > 1} (or {@link #EPOCH}): from the
 * broadcast parameters each partition runs K steps of its own on its share of the same
 * minibatches (its mean gradient clipped by the run's clip, SGD at its learning rate), then returns its parameter
 * change weighted by its share of the sequences; the driver applies the summed change through
 * the {@link OuterUpdate}. The last synchronization of an epoch covers the steps left.
 *
 * @param every steps per synchronization, or {@link #EPOCH}
 * @param outer the driver's update after local steps
 * @param fanIn results added per group of the aggregation tree; 0: {@link #autoFanIn}
 */
public record Synchronization(int every, OuterUpdate.Settings outer, int fanIn) {
  /** One synchronization per epoch. */
  public static final int EPOCH = 0;
  /** Up to this many partitions the driver adds the results itself (direct aggregation). */
  public static final int DIRECT_UP_TO = 16;
  /** The fan-in of the tree above {@link #DIRECT_UP_TO} partitions. */
  public static final int DEFAULT_TREE_FAN_IN = 8;

  public Synchronization {
    if (every < 0) {
      throw new InvalidValueException("{every} must be a step count >= 1 or 'epoch', got " + every);
    }
    if (fanIn == 1 || fanIn < 0) {
      throw new InvalidValueException("{fanIn} must be >= 2 (0 = automatic), got " + fanIn);
    }
  }

  /** Whether partitions run local steps between synchronizations (every != 1). */
  public boolean localSteps() {
    return every != 1;
  }

  /** Steps of the synchronization that starts at {@code step} of an epoch of {@code stepsInEpoch}. */
  public int stepsFrom(int step, int stepsInEpoch) {
    int left = stepsInEpoch - step;
    return every == EPOCH ? left : Math.min(every, left);
  }

  /** Synchronizations in an epoch of {@code stepsInEpoch} steps. */
  public int perEpoch(int stepsInEpoch) {
    return every == EPOCH ? 1 : (stepsInEpoch + every - 1) / every;
  }

  /** The fan-in used with {@code partitions}: {@code partitions} itself means direct aggregation. */
  public int fanIn(int partitions) {
    if (fanIn > 0) {
      return Math.min(fanIn, partitions);
    }
    return autoFanIn(partitions);
  }

  /** Direct up to {@link #DIRECT_UP_TO} partitions, then a tree of fan-in {@link #DEFAULT_TREE_FAN_IN}. */
  public static int autoFanIn(int partitions) {
    return partitions <= DIRECT_UP_TO ? partitions : DEFAULT_TREE_FAN_IN;
  }

  /** The value of {@code every} as written: a positive step count or "epoch". */
  public static int parseEvery(String value) {
    if ("epoch".equals(value)) {
      return EPOCH;
    }
    try {
      int k = Integer.parseInt(value.trim());
      if (k >= 1) {
        return k;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidValueException("{every} must be a step count >= 1 or 'epoch', got '" + value + "'");
  }

  /** The inverse of {@link #parseEvery}. */
  public static String everyName(int every) {
    return every == EPOCH ? "epoch" : Integer.toString(every);
  }
}
