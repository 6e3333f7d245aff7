package dev.rnnlm.model;

/**
 * Scores many token sequences together, each from a zero state, so that every product of the
 * forward pass has one row per sequence: the summed cross-entropy of each sequence, every token
 * but its first predicted once.
 *
 * <p>A group of sequences is read left to right in windows of at most {@code steps} tokens,
 * {@code (window, group)} time-major as {@link LanguageModel#loss} takes them. A window ends at
 * the next multiple of {@code steps} from the sequences' start, or earlier where the shortest
 * sequence still running ends; a sequence that has ended leaves the group (its state row is
 * dropped), so nothing is padded and no position is scored twice. The state is carried across
 * windows, so where the windows end does not change what is computed.
 *
 * <p>A sequence alone is scored by exactly the products and sums of a one-sequence pass
 * ({@code Evaluator}'s one stream): its windows' losses as the model sums them, added in order.
 * In a group, each window adds a sequence's token losses; the products have more rows, which
 * may round differently in the last bits (within 1e-6 relative of the one-sequence loss in the
 * tests).
 *
 * <p>Groups hold at most {@link #groupLimit} sequences, so that a group's workspace stays below
 * {@link #WORKSPACE_BUDGET_FLOATS} whatever the caller passes. One instance per thread.
 */
public final class BatchScorer {
  /** Floats of model workspace a group may use (128 MiB); a single sequence may use more. */
  static final long WORKSPACE_BUDGET_FLOATS = 1L << 25;

  /** Read access to the sequences scored: their count, lengths and tokens. */
  public interface Sequences {
    int count();

    long length(int sequence);

    int token(int sequence, long position);

    /** Token arrays, one per sequence. */
    static Sequences of(java.util.List<int[]> ids) {
      return new Sequences() {
        @Override
        public int count() {
          return ids.size();
        }

        @Override
        public long length(int s) {
          return ids.get(s).length;
        }

        @Override
        public int token(int s, long position) {
          return ids.get(s)[(int) position];
        }
      };
    }
  }

  private final LanguageModel model;
  private final float[] params;
  private final int steps;
  private final int groupLimit;

  /**
   * @param maxGroup at most this many sequences per group (fewer when the workspace budget says
   *     so)
   */
  public BatchScorer(LanguageModel model, float[] params, int steps, int maxGroup) {
    if (steps < 1 || maxGroup < 1) {
      throw new IllegalArgumentException("steps and group size must be > 0, got " + steps
          + " and " + maxGroup);
    }
    this.model = model;
    this.params = params;
    this.steps = steps;
    this.groupLimit = groupLimit(model, steps, maxGroup);
  }

  /**
   * The largest group up to {@code maxGroup} whose workspace fits the budget (at least 1): what a
   * scoring task holds at once, for the memory estimate.
   */
  public static int groupLimit(LanguageModel model, int steps, int maxGroup) {
    int group = maxGroup;
    while (group > 1 && model.workspaceFloats(group, steps) > WORKSPACE_BUDGET_FLOATS) {
      group = Math.max(1, group / 2);
    }
    return group;
  }

  /** Sequences per group. */
  public int groupLimit() {
    return groupLimit;
  }

  /**
   * The summed cross-entropy (nats) of each sequence, indexed as {@code sequences}. Groups are
   * consecutive sequences in index order; callers that want groups of similar lengths (less
   * shrinking) order the sequences by length first.
   */
  public double[] score(Sequences sequences) {
    int n = sequences.count();
    double[] losses = new double[n];
    for (int first = 0; first < n; first += groupLimit) {
      scoreGroup(sequences, first, Math.min(n, first + groupLimit), losses);
    }
    return losses;
  }

  /** Sequences {@code [from, to)}: their losses into {@code losses[from, to)}. */
  private void scoreGroup(Sequences sequences, int from, int to, double[] losses) {
    int stateSize = model.stateSize();
    // Running sequences, by index; their state rows and targets left, in this order.
    int[] running = new int[to - from];
    long[] remaining = new long[to - from];
    int count = 0;
    for (int s = from; s < to; s++) {
      long predicted = sequences.length(s) - 1;
      if (predicted > 0) {
        running[count] = s;
        remaining[count] = predicted;
        count++;
      }
    }
    float[] state = new float[count * stateSize];
    int[] inputs = new int[steps * count];
    int[] targets = new int[steps * count];
    double[] tokenLosses = new double[steps * count];
    long position = 0;
    while (count > 0) {
      long shortest = Long.MAX_VALUE;
      for (int k = 0; k < count; k++) {
        shortest = Math.min(shortest, remaining[k]);
      }
      int len = (int) Math.min(steps - position % steps, shortest);
      for (int t = 0; t < len; t++) {
        for (int k = 0; k < count; k++) {
          inputs[t * count + k] = sequences.token(running[k], position + t);
          targets[t * count + k] = sequences.token(running[k], position + t + 1);
        }
      }
      double windowLoss = model.loss(params, inputs, targets, count, len, state, tokenLosses);
      position += len;
      int kept = 0;
      for (int k = 0; k < count; k++) {
        if (count == 1) {
          losses[running[k]] += windowLoss;   // the model's own sum, as the one-sequence pass adds it
        } else {
          double sum = 0;
          for (int t = 0; t < len; t++) {
            sum += tokenLosses[t * count + k];
          }
          losses[running[k]] += sum;
        }
        remaining[k] -= len;
        if (remaining[k] == 0) {
          continue;
        }
        // Compact in place: row k moves to row kept (kept <= k).
        running[kept] = running[k];
        remaining[kept] = remaining[k];
        System.arraycopy(state, k * stateSize, state, kept * stateSize, stateSize);
        kept++;
      }
      count = kept;
    }
  }
}
