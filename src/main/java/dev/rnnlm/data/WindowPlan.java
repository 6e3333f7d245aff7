package dev.rnnlm.data;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Which token windows each partition trains on at each step: the book's sequential and random
 * iterators, split across partitions so that the union of all partitions' windows at a step is
 * the single-process minibatch (DESIGN.md section 3).
 *
 * <p>The global batch of {@code B} sequences is cut into {@code P} contiguous blocks
 * (sizes differ by at most one); partition {@code p} owns sequences
 * {@code [firstSequence(p), firstSequence(p) + sequenceCount(p))}. Windows are written
 * time-major: {@code inputs[t * b + j]} for step {@code t} of the partition's {@code j}-th
 * sequence; {@code targets} are the tokens one position later.
 */
public record WindowPlan(long tokens, int batch, int steps, int partitions, Sampling sampling,
                         long seed) implements Serializable {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  public WindowPlan {
    if (partitions < 1 || partitions > batch) {
      throw new IllegalArgumentException("partitions must be in [1, batch], got " + partitions);
    }
  }

  public int firstSequence(int p) {
    int base = batch / partitions;
    return p * base + Math.min(p, batch % partitions);
  }

  public int sequenceCount(int p) {
    return batch / partitions + (p < batch % partitions ? 1 : 0);
  }

  /**
   * The epoch's random start offset, drawn from (seed, epoch): in {@code [0, T]} for
   * sequential sampling (the book's {@code randint(0, T)}), {@code [0, T)} for random.
   */
  public int offset(int epoch) {
    SplittableRandom r = new SplittableRandom(seed ^ (epoch + 1L) * GOLDEN);
    return r.nextInt(sampling == Sampling.SEQUENTIAL ? steps + 1 : steps);
  }

  /** Minibatches in an epoch that starts at {@code offset}. */
  public int stepsPerEpoch(int offset) {
    if (sampling == Sampling.SEQUENTIAL) {
      return (int) (streamLength(offset) / steps);
    }
    long fewest = Long.MAX_VALUE;
    for (int p = 0; p < partitions; p++) {
      long windows = firstWindow(p + 1, offset) - firstWindow(p, offset);
      fewest = Math.min(fewest, windows / sequenceCount(p));
    }
    return (int) fewest;
  }

  /** The fewest steps of any epoch; training needs at least one. */
  public int minStepsPerEpoch() {
    int fewest = Integer.MAX_VALUE;
    for (int o = 0; o <= maxOffset(); o++) {
      fewest = Math.min(fewest, stepsPerEpoch(o));
    }
    return fewest;
  }

  /** Throws a clear error when the corpus cannot fill one step at every offset. */
  public void requireAtLeastOneStep() {
    if (minStepsPerEpoch() < 1) {
      // Sequential needs B streams of T tokens plus a target at the largest offset T; random
      // needs B windows at the largest offset T - 1, each with its target.
      long needed = (long) batch * steps + steps + (sampling == Sampling.SEQUENTIAL ? 1 : 0);
      throw InputException.naming("corpus too small: " + tokens + " tokens cannot fill one step of {batch} "
          + batch + " x {steps} " + steps + " (needs at least " + needed + " tokens)");
    }
  }

  /**
   * The global token range {@code [start, end)} that partition {@code p} reads in any epoch:
   * the union over all offsets of its windows and their targets.
   */
  public long[] tokenRange(int p) {
    long lo = Long.MAX_VALUE;
    long hi = 0;
    for (int o = 0; o <= maxOffset(); o++) {
      if (sampling == Sampling.SEQUENTIAL) {
        long len = streamLength(o);
        lo = Math.min(lo, o + firstSequence(p) * len);
        hi = Math.max(hi, o + (firstSequence(p) + sequenceCount(p)) * len + 1);
      } else {
        lo = Math.min(lo, o + firstWindow(p, o) * steps);
        hi = Math.max(hi, o + firstWindow(p + 1, o) * steps + 1);
      }
    }
    return new long[] {Math.min(lo, tokens), Math.min(hi, tokens)};
  }

  /**
   * Writes partition {@code p}'s windows for step {@code step} of an epoch into
   * {@code inputs} and {@code targets} ({@code steps * sequenceCount(p)} ids each, time-major).
   */
  public void fillWindows(int p, int epoch, int offset, int step, TokenShard shard,
                          int[] inputs, int[] targets) {
    long[] starts = windowStarts(p, epoch, offset, step);
    int b = starts.length;
    for (int j = 0; j < b; j++) {
      for (int t = 0; t < steps; t++) {
        inputs[t * b + j] = shard.get(starts[j] + t);
        targets[t * b + j] = shard.get(starts[j] + t + 1);
      }
    }
  }

  /** Global positions of the first input token of each of partition {@code p}'s windows at a step. */
  public long[] windowStarts(int p, int epoch, int offset, int step) {
    int b = sequenceCount(p);
    long[] starts = new long[b];
    if (sampling == Sampling.SEQUENTIAL) {
      long len = streamLength(offset);
      for (int j = 0; j < b; j++) {
        starts[j] = offset + (firstSequence(p) + j) * len + (long) step * steps;
      }
    } else {
      long[] order = shuffledWindows(p, epoch, offset);
      for (int j = 0; j < b; j++) {
        starts[j] = offset + order[step * b + j] * steps;
      }
    }
    return starts;
  }

  /**
   * Partition {@code p}'s window indices for the epoch in their shuffled order, from a
   * generator seeded by (seed, epoch, partition). Window {@code k} starts at {@code offset + k*T}.
   */
  public long[] shuffledWindows(int p, int epoch, int offset) {
    long first = firstWindow(p, offset);
    int count = (int) (firstWindow(p + 1, offset) - first);
    long[] order = new long[count];
    for (int i = 0; i < count; i++) {
      order[i] = first + i;
    }
    SplittableRandom r = new SplittableRandom(seed ^ (epoch + 1L) * GOLDEN ^ (p + 1L) * 0xBF58476D1CE4E5B9L);
    for (int i = count - 1; i > 0; i--) {
      int k = r.nextInt(i + 1);
      long tmp = order[i];
      order[i] = order[k];
      order[k] = tmp;
    }
    return order;
  }

  /** Sequential: length of each of the B streams, {@code (N - o - 1) div B}. */
  private long streamLength(int offset) {
    return Math.max(0, (tokens - offset - 1) / batch);
  }

  /**
   * Random: the first window index of partition {@code p} (p = P gives the end). The
   * {@code (N - o - 1) div T} windows are split among partitions in proportion to their
   * sequence counts.
   */
  private long firstWindow(int p, int offset) {
    long windows = Math.max(0, (tokens - offset - 1) / steps);
    int sequencesBefore = p == partitions ? batch : firstSequence(p);
    return windows * sequencesBefore / batch;
  }

  private int maxOffset() {
    return sampling == Sampling.SEQUENTIAL ? steps : steps - 1;
  }
}
