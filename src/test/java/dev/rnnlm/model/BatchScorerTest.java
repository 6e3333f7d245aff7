package dev.rnnlm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchScorer} against the one-sequence pass it replaces: the windows of {@code steps}
 * tokens scored one by one through {@link LanguageModel#loss}, the window sums added in order.
 */
class BatchScorerTest {
  private static final int VOCAB = 40;
  private static final int STEPS = 7;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("rnn (the book's)", LanguageModels.create("rnn", VOCAB, 16, 1, 0f)),
        Arguments.of("2-layer lstm", LanguageModels.create("lstm", VOCAB, 12, 2, 0.3f)),
        Arguments.of("gru, embedding tied", LanguageModels.create("gru", VOCAB, 10, 1, 0f, 10, true)),
        Arguments.of("lstm, embedding, adaptive", LanguageModels.create("lstm", VOCAB, 16, 1, 0f, 8,
            false, List.of(10, 25))));
  }

  private static float[] params(LanguageModel model) {
    float[] params = new float[model.layout().size()];
    model.initialize(params, 11);
    // Larger than the initial values so the distribution is far from uniform.
    for (int i = 0; i < params.length; i++) {
      params[i] *= 6f;
    }
    return params;
  }

  /** The one-sequence pass: windows of STEPS from a zero state, window sums added in order. */
  private static double onePass(LanguageModel model, float[] params, int[] ids) {
    float[] state = new float[model.stateSize()];
    double loss = 0;
    for (int pos = 0; pos < ids.length - 1; pos += STEPS) {
      int len = Math.min(STEPS, ids.length - 1 - pos);
      int[] inputs = new int[len];
      int[] targets = new int[len];
      for (int t = 0; t < len; t++) {
        inputs[t] = ids[pos + t];
        targets[t] = ids[pos + t + 1];
      }
      loss += model.loss(params, inputs, targets, 1, len, state);
    }
    return loss;
  }

  /** Lengths around the window size and its multiples, and the degenerate 0 and 1. */
  private static List<int[]> sequences(long seed) {
    Random random = new Random(seed);
    int[] lengths = {0, 1, 2, STEPS, STEPS + 1, 2 * STEPS, 2 * STEPS + 1, 3, 40, 41, 97, 5, 60};
    List<int[]> out = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int length : lengths) {
        out.add(Fixtures.tokens(length + random.nextInt(2) * round, VOCAB, random.nextLong()));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aSequenceScoredAloneHasExactlyTheOnePassLoss(String name, LanguageModel model) {
    float[] params = params(model);
    BatchScorer scorer = new BatchScorer(model, params, STEPS, 1);
    for (int[] ids : sequences(3)) {
      double[] loss = scorer.score(BatchScorer.Sequences.of(List.of(ids)));
      assertEquals(onePass(model, params, ids), loss[0], 0.0, name + ", length " + ids.length);
    }
  }

  /**
   * In a group, the products have one row per sequence and round differently in the last bits:
   * each sequence's loss stays within 1e-6 relative of its own one-pass loss (float32 products,
   * summed in double).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void eachSequenceInAGroupHasItsOwnOnePassLoss(String name, LanguageModel model) {
    float[] params = params(model);
    List<int[]> sequences = sequences(5);
    for (int group : new int[] {2, 5, 64}) {
      double[] losses = new BatchScorer(model, params, STEPS, group)
          .score(BatchScorer.Sequences.of(sequences));
      assertEquals(sequences.size(), losses.length);
      for (int s = 0; s < sequences.size(); s++) {
        double expected = onePass(model, params, sequences.get(s));
        assertEquals(expected, losses[s], 1e-6 * Math.abs(expected),
            name + ", group " + group + ", sequence " + s + " of length " + sequences.get(s).length);
        assertTrue(sequences.get(s).length > 1 == losses[s] > 0, "scored iff something is predicted");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aGroupOfIdenticalSequencesScoresEachLikeTheFirst(String name, LanguageModel model) {
    float[] params = params(model);
    int[] ids = Fixtures.tokens(50, VOCAB, 9);
    double[] losses = new BatchScorer(model, params, STEPS, 8)
        .score(BatchScorer.Sequences.of(List.of(ids, ids, ids, ids, ids)));
    for (double loss : losses) {
      assertEquals(losses[0], loss, 1e-6 * losses[0], name);
    }
  }

  @org.junit.jupiter.api.Test
  void aGroupIsAsLargeAsTheWorkspaceBudgetAllows() {
    LanguageModel wide = LanguageModels.create("lstm", 50_000, 256, 1, 0f, 256, false);
    int limit = BatchScorer.groupLimit(wide, 35, 64);
    assertTrue(limit < 64 && limit >= 1, "a 50,000-word softmax cannot take 64 sequences: " + limit);
    assertTrue(wide.workspaceFloats(limit, 35) <= BatchScorer.WORKSPACE_BUDGET_FLOATS);
    assertEquals(64, BatchScorer.groupLimit(LanguageModels.create("rnn", VOCAB, 16, 1, 0f), 35, 64));
  }
}
