package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * WindowPlan against direct transcriptions of the book's iterators ({@code seq_sequential} and
 * {@code seq_random} in bench/ref_torch_rnn.py) with the epoch offset given explicitly.
 *
 * <p>Fixtures use {@code corpus[i] = i}: every token names its own global position, so a window
 * is identified by its first token and any off-by-one shows up as a wrong value.
 */
class WindowPlanTest {
  private static final long SEED = 20240607L;

  private static int[] positions(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    return ids;
  }

  /**
   * The book's {@code seq_data_iter_sequential} with offset {@code off}: returns, per step,
   * {X, Y} as B x T matrices.
   * <pre>
   * n = ((len(corpus) - off - 1) // B) * B
   * Xs = corpus[off:off + n].reshape(B, -1); Ys = corpus[off + 1:off + 1 + n].reshape(B, -1)
   * for i in range(0, (Xs.shape[1] // T) * T, T): yield Xs[:, i:i + T], Ys[:, i:i + T]
   * </pre>
   */
  private static List<int[][][]> bookSequential(int[] corpus, int batch, int steps, int off) {
    int n = ((corpus.length - off - 1) / batch) * batch;
    int cols = n / batch;
    int[] xFlat = Arrays.copyOfRange(corpus, off, off + n);
    int[] yFlat = Arrays.copyOfRange(corpus, off + 1, off + 1 + n);
    int[][] xs = new int[batch][cols];
    int[][] ys = new int[batch][cols];
    for (int b = 0; b < batch; b++) { // reshape(B, -1): row-major
      System.arraycopy(xFlat, b * cols, xs[b], 0, cols);
      System.arraycopy(yFlat, b * cols, ys[b], 0, cols);
    }
    List<int[][][]> minibatches = new ArrayList<>();
    for (int i = 0; i < (cols / steps) * steps; i += steps) {
      int[][] x = new int[batch][];
      int[][] y = new int[batch][];
      for (int b = 0; b < batch; b++) {
        x[b] = Arrays.copyOfRange(xs[b], i, i + steps);
        y[b] = Arrays.copyOfRange(ys[b], i, i + steps);
      }
      minibatches.add(new int[][][] {x, y});
    }
    return minibatches;
  }

  /** The book's seq_data_iter_random window starts at offset {@code off}, unshuffled. */
  private static Set<Integer> bookRandomStarts(int tokens, int steps, int off) {
    int n = (tokens - off - 1) / steps; // (len(corpus[off:]) - 1) // T
    Set<Integer> starts = new TreeSet<>();
    for (int k = 0; k < n; k++) {
      starts.add(off + k * steps);
    }
    return starts;
  }

  private static int bookRandomBatches(int tokens, int batch, int steps, int off) {
    return ((tokens - off - 1) / steps) / batch;
  }

  private static TokenShard shardFor(WindowPlan plan, int p, int[] corpus, int vocabSize) {
    long[] range = plan.tokenRange(p);
    return TokenShard.of(p, range[0],
        Arrays.copyOfRange(corpus, (int) range[0], (int) range[1]), vocabSize);
  }

  /** Partition p's windows at a step as rows: {inputs[j][t], targets[j][t]}. */
  private static int[][][] windows(WindowPlan plan, int p, int epoch, int offset, int step,
                                   TokenShard shard) {
    int b = plan.sequenceCount(p);
    int t = plan.steps();
    int[] in = new int[t * b];
    int[] out = new int[t * b];
    plan.fillWindows(p, epoch, offset, step, shard, in, out);
    int[][] x = new int[b][t];
    int[][] y = new int[b][t];
    for (int j = 0; j < b; j++) {
      for (int s = 0; s < t; s++) {
        x[j][s] = in[s * b + j];
        y[j][s] = out[s * b + j];
      }
    }
    return new int[][][] {x, y};
  }

  private static final int[][] SEQ_SHAPES = { // {B, T}
    {1, 5}, {2, 5}, {3, 7}, {4, 10}, {5, 3}, {8, 4}, {2, 35},
  };

  @Test
  void sequentialWindowsEqualTheBookIterator() {
    int multiStepCases = 0;
    for (int tokens : new int[] {100, 157, 256, 400}) {
      int[] corpus = positions(tokens);
      for (int[] shape : SEQ_SHAPES) {
        int batch = shape[0];
        int steps = shape[1];
        WindowPlan plan = new WindowPlan(tokens, batch, steps, 1, Sampling.SEQUENTIAL, SEED);
        TokenShard shard = shardFor(plan, 0, corpus, tokens);
        for (int off : new int[] {0, 1, steps / 2, steps - 1, steps}) {
          String where = "N=" + tokens + " B=" + batch + " T=" + steps + " offset=" + off;
          List<int[][][]> book = bookSequential(corpus, batch, steps, off);
          assertEquals(book.size(), plan.stepsPerEpoch(off), "steps per epoch, " + where);
          for (int i = 0; i < book.size(); i++) {
            int[][][] mine = windows(plan, 0, 0, off, i, shard);
            assertTrue(Arrays.deepEquals(book.get(i)[0], mine[0]), "inputs at step " + i + ", " + where);
            assertTrue(Arrays.deepEquals(book.get(i)[1], mine[1]), "targets at step " + i + ", " + where);
          }
          if (book.size() > 1) {
            multiStepCases++;
          }
        }
      }
    }
    assertTrue(multiStepCases > 50, "fixture must exercise multi-step epochs, got " + multiStepCases);
  }

  @Test
  void sequentialPartitionsUnionIsTheBookMinibatch() {
    int checkedSteps = 0;
    for (int tokens : new int[] {150, 233, 400}) {
      int[] corpus = positions(tokens);
      for (int partitions : new int[] {2, 3, 4}) {
        for (int batch : new int[] {4, 5, 6, 7}) {
          if (batch < partitions) {
            continue;
          }
          for (int steps : new int[] {3, 5, 7}) {
            WindowPlan plan = new WindowPlan(tokens, batch, steps, partitions, Sampling.SEQUENTIAL, SEED);
            TokenShard[] shards = new TokenShard[partitions];
            for (int p = 0; p < partitions; p++) {
              shards[p] = shardFor(plan, p, corpus, tokens);
            }
            for (int off = 0; off <= steps; off++) {
              String where = "N=" + tokens + " B=" + batch + " T=" + steps + " P=" + partitions
                  + " offset=" + off;
              List<int[][][]> book = bookSequential(corpus, batch, steps, off);
              assertEquals(book.size(), plan.stepsPerEpoch(off), "steps per epoch, " + where);
              for (int i = 0; i < book.size(); i++) {
                List<int[]> xRows = new ArrayList<>();
                List<int[]> yRows = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                  int[][][] w = windows(plan, p, 0, off, i, shards[p]);
                  xRows.addAll(Arrays.asList(w[0]));
                  yRows.addAll(Arrays.asList(w[1]));
                }
                assertTrue(Arrays.deepEquals(book.get(i)[0], xRows.toArray(new int[0][])),
                    "inputs at step " + i + ", " + where);
                assertTrue(Arrays.deepEquals(book.get(i)[1], yRows.toArray(new int[0][])),
                    "targets at step " + i + ", " + where);
                checkedSteps++;
              }
            }
          }
        }
      }
    }
    assertTrue(checkedSteps > 1000, "fixture must exercise many steps, got " + checkedSteps);
  }

  @Test
  void randomWindowsAreTheBookWindowsWithoutLossOrRepeat() {
    int epoch = 3;
    for (int tokens : new int[] {100, 199, 400}) {
      int[] corpus = positions(tokens);
      for (int[] shape : new int[][] {{1, 5}, {2, 5}, {3, 7}, {4, 4}, {6, 3}}) {
        int batch = shape[0];
        int steps = shape[1];
        WindowPlan plan = new WindowPlan(tokens, batch, steps, 1, Sampling.RANDOM, SEED);
        TokenShard shard = shardFor(plan, 0, corpus, tokens);
        for (int off = 0; off < steps; off++) {
          String where = "N=" + tokens + " B=" + batch + " T=" + steps + " offset=" + off;
          Set<Integer> book = bookRandomStarts(tokens, steps, off);
          int stepCount = plan.stepsPerEpoch(off);
          assertEquals(bookRandomBatches(tokens, batch, steps, off), stepCount, "num_batches, " + where);
          assertTrue(stepCount >= 1, where);

          // P = 1 shuffles exactly the book's window set.
          long[] order = plan.shuffledWindows(0, epoch, off);
          Set<Integer> shuffledStarts = new TreeSet<>();
          for (long k : order) {
            shuffledStarts.add((int) (off + k * steps));
          }
          assertEquals(book, shuffledStarts, "shuffled windows, " + where);
          assertEquals(book.size(), order.length, "no repeats in the shuffle, " + where);

          Set<Integer> used = new HashSet<>();
          for (int i = 0; i < stepCount; i++) {
            long[] starts = plan.windowStarts(0, epoch, off, i);
            assertEquals(batch, starts.length, where);
            int[][][] w = windows(plan, 0, epoch, off, i, shard);
            for (int j = 0; j < batch; j++) {
              int start = w[0][j][0]; // corpus[i] = i
              assertEquals(starts[j], start, "windowStarts vs filled window, " + where);
              assertTrue(book.contains(start), "window at " + start + " is not a book window, " + where);
              assertTrue(used.add(start), "window at " + start + " repeated, " + where);
              assertArrayEquals(Arrays.copyOfRange(corpus, start, start + steps), w[0][j], where);
              assertArrayEquals(Arrays.copyOfRange(corpus, start + 1, start + 1 + steps), w[1][j], where);
              for (int t = 0; t + 1 < steps; t++) {
                assertEquals(w[0][j][t + 1], w[1][j][t], "targets are inputs shifted by one, " + where);
              }
            }
          }
          assertEquals(stepCount * batch, used.size(), where);
        }
      }
    }
    partitionedRandomWindowsAreDistinctBookWindows();
  }

  /** P in {2, 4}: no window repeated across partitions, sequenceCount(p) per step, all book windows. */
  private static void partitionedRandomWindowsAreDistinctBookWindows() {
    int epoch = 1;
    for (int tokens : new int[] {120, 257, 400}) {
      int[] corpus = positions(tokens);
      for (int partitions : new int[] {2, 4}) {
        for (int batch : new int[] {2, 3, 4, 5, 6}) {
          if (batch < partitions) {
            continue;
          }
          for (int steps : new int[] {3, 5}) {
            WindowPlan plan = new WindowPlan(tokens, batch, steps, partitions, Sampling.RANDOM, SEED);
            TokenShard[] shards = new TokenShard[partitions];
            for (int p = 0; p < partitions; p++) {
              shards[p] = shardFor(plan, p, corpus, tokens);
            }
            for (int off = 0; off < steps; off++) {
              String where = "N=" + tokens + " B=" + batch + " T=" + steps + " P=" + partitions
                  + " offset=" + off;
              Set<Integer> book = bookRandomStarts(tokens, steps, off);
              int stepCount = plan.stepsPerEpoch(off);
              assertTrue(stepCount >= 1, where);
              assertTrue(stepCount <= bookRandomBatches(tokens, batch, steps, off), where);
              Set<Integer> used = new HashSet<>();
              for (int i = 0; i < stepCount; i++) {
                for (int p = 0; p < partitions; p++) {
                  long[] starts = plan.windowStarts(p, epoch, off, i);
                  assertEquals(plan.sequenceCount(p), starts.length, "windows per step, " + where);
                  int[][][] w = windows(plan, p, epoch, off, i, shards[p]);
                  for (int j = 0; j < starts.length; j++) {
                    int start = w[0][j][0];
                    assertEquals(starts[j], start, where);
                    assertTrue(book.contains(start), "window at " + start + " is not a book window, " + where);
                    assertTrue(used.add(start), "window at " + start + " repeated, " + where);
                    assertArrayEquals(Arrays.copyOfRange(corpus, start, start + steps), w[0][j], where);
                    assertArrayEquals(Arrays.copyOfRange(corpus, start + 1, start + 1 + steps), w[1][j], where);
                  }
                }
              }
              assertEquals(stepCount * batch, used.size(), where);
            }
          }
        }
      }
    }
  }

  @Test
  void randomShuffleDependsOnSeedEpochAndPartition() {
    int tokens = 2001;
    int steps = 5;
    int off = 0; // 400 windows, 200 per partition
    WindowPlan plan = new WindowPlan(tokens, 4, steps, 2, Sampling.RANDOM, 7L);
    WindowPlan same = new WindowPlan(tokens, 4, steps, 2, Sampling.RANDOM, 7L);
    WindowPlan otherSeed = new WindowPlan(tokens, 4, steps, 2, Sampling.RANDOM, 8L);

    long[] e0p0 = plan.shuffledWindows(0, 0, off);
    assertEquals(200, e0p0.length);
    assertArrayEquals(e0p0, same.shuffledWindows(0, 0, off), "same inputs, same order");
    assertArrayEquals(plan.windowStarts(1, 5, off, 3), same.windowStarts(1, 5, off, 3));

    assertFalse(Arrays.equals(e0p0, plan.shuffledWindows(0, 1, off)), "epoch must change the order");
    assertFalse(Arrays.equals(e0p0, otherSeed.shuffledWindows(0, 0, off)), "seed must change the order");
    assertFalse(Arrays.equals(plan.windowStarts(0, 0, off, 0), plan.windowStarts(0, 1, off, 0)),
        "epoch must change a step's windows");

    long[] e0p1 = plan.shuffledWindows(1, 0, off);
    assertEquals(200, e0p1.length);
    long[] relative0 = new long[200];
    long[] relative1 = new long[200];
    for (int i = 0; i < 200; i++) {
      relative0[i] = e0p0[i];
      relative1[i] = e0p1[i] - 200;
    }
    assertFalse(Arrays.equals(relative0, relative1), "partition must change the permutation");

    // Every order is a permutation of the partition's own windows, and actually shuffled.
    long[] sorted = e0p1.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 200; i++) {
      assertEquals(200 + i, sorted[i]);
    }
    assertFalse(Arrays.equals(sorted, e0p1), "order must be shuffled");
  }

  @Test
  void offsetsCoverTheBookRange() {
    int steps = 5;
    WindowPlan seq = new WindowPlan(1000, 4, steps, 1, Sampling.SEQUENTIAL, SEED);
    WindowPlan rnd = new WindowPlan(1000, 4, steps, 1, Sampling.RANDOM, SEED);
    Set<Integer> seqSeen = new TreeSet<>();
    Set<Integer> rndSeen = new TreeSet<>();
    List<Integer> seqOffsets = new ArrayList<>();
    for (int e = 0; e < 500; e++) {
      int o = seq.offset(e);
      assertTrue(o >= 0 && o <= steps, "sequential offset " + o + " outside [0, T]");
      seqSeen.add(o);
      seqOffsets.add(o);
      int r = rnd.offset(e);
      assertTrue(r >= 0 && r <= steps - 1, "random offset " + r + " outside [0, T-1]");
      rndSeen.add(r);
    }
    assertEquals(Set.of(0, 1, 2, 3, 4, 5), seqSeen, "sequential offsets hit every value incl. 0 and T");
    assertEquals(Set.of(0, 1, 2, 3, 4), rndSeen, "random offsets hit every value in [0, T)");

    WindowPlan seqAgain = new WindowPlan(1000, 4, steps, 1, Sampling.SEQUENTIAL, SEED);
    WindowPlan seqOtherSeed = new WindowPlan(1000, 4, steps, 1, Sampling.SEQUENTIAL, SEED + 1);
    List<Integer> again = new ArrayList<>();
    List<Integer> other = new ArrayList<>();
    for (int e = 0; e < 500; e++) {
      again.add(seqAgain.offset(e));
      other.add(seqOtherSeed.offset(e));
    }
    assertEquals(seqOffsets, again, "offsets are deterministic for a seed");
    assertNotEquals(seqOffsets, other, "offsets depend on the seed");
  }

  @Test
  void tokenRangeStaysWithinCorpus() {
    for (Sampling sampling : Sampling.values()) {
      for (int batch : new int[] {1, 3, 4, 7}) {
        for (int steps : new int[] {1, 2, 5}) {
          int minimum = batch * steps + steps + 1;
          for (int tokens : new int[] {minimum, minimum + 1, minimum + 13, 10 * minimum}) {
            for (int partitions = 1; partitions <= batch; partitions++) {
              WindowPlan plan = new WindowPlan(tokens, batch, steps, partitions, sampling, SEED);
              for (int p = 0; p < partitions; p++) {
                long[] r = plan.tokenRange(p);
                String where = sampling + " N=" + tokens + " B=" + batch + " T=" + steps + " P="
                    + partitions + " p=" + p + " range=" + Arrays.toString(r);
                assertEquals(2, r.length);
                assertTrue(0 <= r[0] && r[0] < r[1] && r[1] <= tokens, where);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void tooSmallCorpusIsRejectedWithItsSize() {
    for (int[] shape : new int[][] {{1, 1}, {2, 5}, {4, 3}, {5, 7}}) {
      int batch = shape[0];
      int steps = shape[1];
      for (int partitions = 1; partitions <= batch; partitions++) {
        int needed = batch * steps + steps + 1;
        WindowPlan tooSmall = new WindowPlan(needed - 1, batch, steps, partitions, Sampling.SEQUENTIAL, SEED);
        InputException e = assertThrows(InputException.class, tooSmall::requireAtLeastOneStep);
        assertTrue(e.getMessage().contains((needed - 1) + " tokens"), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(needed)), e.getMessage());

        WindowPlan justEnough = new WindowPlan(needed, batch, steps, partitions, Sampling.SEQUENTIAL, SEED);
        assertDoesNotThrow(justEnough::requireAtLeastOneStep);
        assertEquals(1, justEnough.minStepsPerEpoch());

        // Random sampling: the book needs ((N - o - 1) // T) // B >= 1 at o = T - 1, i.e. N >= B*T + T.
        int randomNeeded = batch * steps + steps;
        WindowPlan randomTooSmall =
            new WindowPlan(randomNeeded - 1, batch, steps, partitions, Sampling.RANDOM, SEED);
        InputException r = assertThrows(InputException.class, randomTooSmall::requireAtLeastOneStep);
        assertTrue(r.getMessage().contains((randomNeeded - 1) + " tokens"), r.getMessage());
        WindowPlan randomJustEnough =
            new WindowPlan(randomNeeded, batch, steps, partitions, Sampling.RANDOM, SEED);
        assertDoesNotThrow(randomJustEnough::requireAtLeastOneStep);
        assertEquals(1, randomJustEnough.minStepsPerEpoch());
      }
    }
  }

  @Test
  void randomTooSmallCorpusNamesTheTrueMinimum() {
    int batch = 4;
    int steps = 3;
    int randomNeeded = batch * steps + steps; // 15: accepted, see tooSmallCorpusIsRejectedWithItsSize
    WindowPlan tooSmall = new WindowPlan(randomNeeded - 1, batch, steps, 1, Sampling.RANDOM, SEED);
    InputException e = assertThrows(InputException.class, tooSmall::requireAtLeastOneStep);
    assertTrue(e.getMessage().contains("needs at least " + randomNeeded + " tokens"), e.getMessage());
  }

  @Test
  void partitionsMustNotExceedBatch() {
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> new WindowPlan(1000, 3, 5, 4, Sampling.SEQUENTIAL, SEED));
    assertTrue(tooMany.getMessage().contains("4"), tooMany.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new WindowPlan(1000, 3, 5, 0, Sampling.RANDOM, SEED));
    assertTrue(none.getMessage().contains("0"), none.getMessage());

    WindowPlan onePerPartition = new WindowPlan(1000, 3, 5, 3, Sampling.SEQUENTIAL, SEED);
    for (int p = 0; p < 3; p++) {
      assertEquals(1, onePerPartition.sequenceCount(p));
      assertEquals(p, onePerPartition.firstSequence(p));
    }
  }

  @Test
  void partitionBlocksAreContiguousAndBalanced() {
    for (int batch = 1; batch <= 12; batch++) {
      for (int partitions = 1; partitions <= batch; partitions++) {
        WindowPlan plan = new WindowPlan(1000, batch, 3, partitions, Sampling.SEQUENTIAL, SEED);
        int next = 0;
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int p = 0; p < partitions; p++) {
          assertEquals(next, plan.firstSequence(p), "B=" + batch + " P=" + partitions + " p=" + p);
          next += plan.sequenceCount(p);
          smallest = Math.min(smallest, plan.sequenceCount(p));
          largest = Math.max(largest, plan.sequenceCount(p));
        }
        assertEquals(batch, next, "blocks cover the batch, B=" + batch + " P=" + partitions);
        assertTrue(smallest >= 1 && largest - smallest <= 1, "B=" + batch + " P=" + partitions);
      }
    }
  }

  @Test
  void samplingParseNamesTheBadValue() {
    assertEquals(Sampling.SEQUENTIAL, Sampling.parse("Sequential"));
    assertEquals(Sampling.RANDOM, Sampling.parse("random"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sampling.parse("shuffled"));
    assertTrue(e.getMessage().contains("shuffled"), e.getMessage());
  }
}
