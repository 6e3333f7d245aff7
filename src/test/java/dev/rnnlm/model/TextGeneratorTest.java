package dev.rnnlm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.values.InvalidValueException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {
  private static final int V = 9;
  private static final int H = 8;

  private static float[] gaussian(int n, double std, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * std);
    }
    return x;
  }

  /** A model with strongly peaked, input-dependent predictions. */
  private static RnnModel model() {
    return new RnnModel(V, H);
  }

  private static float[] peakedParams(RnnModel m) {
    return gaussian(m.layout().size(), 1.0, 7);
  }

  /** Greedy decoding done by hand with {@link LanguageModel#step}. */
  private static List<Integer> manualGreedy(LanguageModel m, float[] params, List<Integer> prefix,
                                            int length) {
    float[] state = new float[m.stateSize()];
    float[] logits = new float[m.vocabSize()];
    List<Integer> out = new ArrayList<>(prefix);
    for (int token : prefix) {
      m.step(params, token, state, logits);
    }
    for (int i = 0; i < length; i++) {
      int best = 0;
      for (int j = 1; j < logits.length; j++) {
        if (logits[j] > logits[best]) {
          best = j;
        }
      }
      // A clear winner, so "argmax" is unambiguous.
      for (int j = 0; j < logits.length; j++) {
        assertTrue(j == best || logits[j] < logits[best] - 1e-4f, "near tie at step " + i);
      }
      out.add(best);
      m.step(params, best, state, logits);
    }
    return out;
  }

  @Test
  void greedyPicksTheArgmaxAtEachStep() {
    RnnModel m = model();
    float[] params = peakedParams(m);
    List<Integer> prefix = List.of(1, 3, 2);
    List<Integer> expected = manualGreedy(m, params, prefix, 20);
    TextGenerator gen = new TextGenerator(m, params);
    assertEquals(expected, gen.generate(prefix, 20, 0f, 0));
    // Any temperature <= 0 is greedy, and the seed plays no part.
    assertEquals(expected, gen.generate(prefix, 20, -1f, 99));
    // The fixture is not degenerate: more than one distinct token is generated.
    assertTrue(new HashSet<>(expected.subList(3, expected.size())).size() > 1, expected.toString());
  }

  @Test
  void greedyDependsOnTheWholePrefix() {
    RnnModel m = model();
    float[] params = peakedParams(m);
    TextGenerator gen = new TextGenerator(m, params);
    for (List<Integer> prefix : List.of(List.of(5), List.of(0, 5), List.of(4, 4, 8, 5))) {
      assertEquals(manualGreedy(m, params, prefix, 6), gen.generate(prefix, 6, 0f, 1));
    }
  }

  @Test
  void samplingIsReproducibleForASeedAndVariesAcrossSeeds() {
    int v = 20;
    RnnModel m = new RnnModel(v, 6);
    // All zero except small noise: nearly uniform next-token distribution.
    float[] params = gaussian(m.layout().size(), 1e-3, 3);
    TextGenerator gen = new TextGenerator(m, params);
    List<Integer> prefix = List.of(2, 7);
    List<Integer> a = gen.generate(prefix, 60, 1f, 42);
    List<Integer> b = gen.generate(prefix, 60, 1f, 42);
    List<Integer> c = gen.generate(prefix, 60, 1f, 43);
    assertEquals(a, b, "same seed, same tokens");
    assertNotEquals(a, c, "different seed, different tokens");
    // It really samples: a near-uniform distribution yields many distinct ids, all valid.
    List<Integer> generated = a.subList(prefix.size(), a.size());
    assertTrue(new HashSet<>(generated).size() >= 10, generated.toString());
    for (int token : generated) {
      assertTrue(token >= 0 && token < v, "token " + token);
    }
    // Greedy on the same model always takes the same argmax, unlike sampling.
    List<Integer> greedy = gen.generate(prefix, 60, 0f, 42);
    assertNotEquals(greedy, a);
  }

  @Test
  void veryLowTemperatureSamplingEqualsGreedy() {
    RnnModel m = model();
    float[] params = peakedParams(m);
    TextGenerator gen = new TextGenerator(m, params);
    List<Integer> prefix = List.of(6, 0);
    List<Integer> greedy = gen.generate(prefix, 25, 0f, 0);
    for (long seed = 0; seed < 5; seed++) {
      assertEquals(greedy, gen.generate(prefix, 25, 1e-4f, seed), "seed " + seed);
    }
  }

  @Test
  void outputStartsWithThePrefix() {
    RnnModel m = model();
    float[] params = peakedParams(m);
    TextGenerator gen = new TextGenerator(m, params);
    List<Integer> prefix = List.of(8, 1, 1, 4);
    for (float temperature : new float[] {0f, 1f}) {
      List<Integer> out = gen.generate(prefix, 7, temperature, 5);
      assertEquals(prefix.size() + 7, out.size());
      assertEquals(prefix, out.subList(0, prefix.size()));
    }
    assertEquals(prefix, gen.generate(prefix, 0, 1f, 5), "length 0 returns just the prefix");
  }

  @Test
  void emptyPrefixIsRejected() {
    RnnModel m = model();
    TextGenerator gen = new TextGenerator(m, peakedParams(m));
    assertThrows(IllegalArgumentException.class, () -> gen.generate(List.of(), 5, 0f, 0));
    assertThrows(IllegalArgumentException.class, () -> gen.generate(List.of(), 5, 1f, 0));
  }

  // ---------------------------------------------------------------------------------------
  // Top-k, top-p, seeds and stopping, on a model whose next-token distribution is known.

  /** Next-token probabilities of {@link #fixedModel}, by id: ranked 1, 3, 4, 2, then 0 and 5 tied. */
  private static final double[] PROBS = {0.05, 0.40, 0.10, 0.25, 0.15, 0.05};

  /**
   * A model that predicts the same logits at every step, whatever the input: all weights and
   * b_h zero, so the state stays 0 and the logits are b_q.
   */
  private static float[] fixedParams(RnnModel m, double[] probs) {
    float[] params = new float[m.layout().size()];
    Tensor bq = m.layout().tensor("b_q");
    for (int j = 0; j < probs.length; j++) {
      params[bq.offset() + j] = (float) Math.log(probs[j]);
    }
    return params;
  }

  private static RnnModel fixedModel() {
    return new RnnModel(PROBS.length, 4);
  }

  /**
   * The distribution sampling should follow, computed independently of the generator: softmax
   * of the logits at the temperature, then top-k, then the top-p nucleus, renormalized.
   */
  private static double[] expectedDistribution(float[] logits, double temperature, int topK,
                                               double topP) {
    int v = logits.length;
    double[] p = new double[v];
    double sum = 0;
    for (int j = 0; j < v; j++) {
      p[j] = Math.exp(logits[j] / temperature);
      sum += p[j];
    }
    Integer[] rank = new Integer[v];
    for (int j = 0; j < v; j++) {
      rank[j] = j;
      p[j] /= sum;
    }
    java.util.Arrays.sort(rank, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a])
        : Integer.compare(a, b));
    int k = topK == 0 ? v : Math.min(topK, v);
    double massK = 0;
    for (int i = 0; i < k; i++) {
      massK += p[rank[i]];
    }
    int n = 0;
    double cum = 0;
    while (n < k) {
      cum += p[rank[n++]] / massK;
      if (cum >= topP - 1e-12) {
        break;
      }
    }
    double[] q = new double[v];
    double kept = 0;
    for (int i = 0; i < n; i++) {
      kept += p[rank[i]];
    }
    for (int i = 0; i < n; i++) {
      q[rank[i]] = p[rank[i]] / kept;
    }
    return q;
  }

  private static float[] logitsOf(float[] params, RnnModel m) {
    Tensor bq = m.layout().tensor("b_q");
    return java.util.Arrays.copyOfRange(params, bq.offset(), bq.offset() + m.vocabSize());
  }

  /** Counts of each id among the tokens generated after a one-token prefix. */
  private static int[] counts(TextGenerator gen, int v, int draws, SamplingSettings s) {
    List<Integer> out = gen.generate(List.of(0), draws, s);
    int[] c = new int[v];
    for (int token : out.subList(1, out.size())) {
      c[token]++;
    }
    return c;
  }

  private static java.util.Set<Integer> emitted(int[] counts) {
    java.util.Set<Integer> s = new java.util.TreeSet<>();
    for (int j = 0; j < counts.length; j++) {
      if (counts[j] > 0) {
        s.add(j);
      }
    }
    return s;
  }

  @Test
  void topKNeverEmitsATokenOutsideTheKMostLikely() {
    RnnModel m = fixedModel();
    TextGenerator gen = new TextGenerator(m, fixedParams(m, PROBS));
    // The k most likely ids, best first; 0 and 5 tie, and the lower id ranks first.
    List<Integer> ranked = List.of(1, 3, 4, 2, 0, 5);
    for (int k = 1; k <= PROBS.length; k++) {
      for (float temperature : new float[] {0.5f, 1f, 3f}) {
        int[] c = counts(gen, PROBS.length, 3000, new SamplingSettings(temperature, k, 1.0, k));
        java.util.Set<Integer> topK = new java.util.TreeSet<>(ranked.subList(0, k));
        // Never outside the k most likely, and (3000 draws) every one of them shows up.
        assertEquals(topK, emitted(c), "k " + k + " temperature " + temperature);
      }
    }
  }

  @Test
  void topKBreaksTiesByTheLowerId() {
    RnnModel m = fixedModel();
    // Ids 2 and 4 tie for the top; 0 and 5 tie below them.
    double[] probs = {0.1, 0.05, 0.3, 0.2, 0.3, 0.05};
    TextGenerator gen = new TextGenerator(m, fixedParams(m, probs));
    assertEquals(java.util.Set.of(2), emitted(counts(gen, 6, 500, new SamplingSettings(1f, 1, 1.0, 3))));
    assertEquals(java.util.Set.of(2, 4, 3, 0),
        emitted(counts(gen, 6, 3000, new SamplingSettings(1f, 4, 1.0, 3))));
  }

  @Test
  void topPKeepsTheSmallestNucleus() {
    RnnModel m = fixedModel();
    TextGenerator gen = new TextGenerator(m, fixedParams(m, PROBS));
    // Ranked 1 (.40), 3 (.25), 4 (.15), 2 (.10), 0 (.05), 5 (.05): cumulative .40 .65 .80 .90 .95 1.
    Object[][] cases = {
        {0.01, java.util.Set.of(1)},
        {0.39, java.util.Set.of(1)},
        {0.41, java.util.Set.of(1, 3)},
        {0.64, java.util.Set.of(1, 3)},
        {0.70, java.util.Set.of(1, 3, 4)},
        {0.85, java.util.Set.of(1, 3, 4, 2)},
        // 0 and 5 tie: the lower id joins the nucleus first.
        {0.93, java.util.Set.of(1, 3, 4, 2, 0)},
        {0.99, java.util.Set.of(1, 3, 4, 2, 0, 5)},
        {1.0, java.util.Set.of(1, 3, 4, 2, 0, 5)},
    };
    for (Object[] c : cases) {
      double p = (Double) c[0];
      assertEquals(c[1], emitted(counts(gen, 6, 4000, new SamplingSettings(1f, 0, p, 11))), "p " + p);
    }
  }

  @Test
  void temperatureIsAppliedBeforeTopP() {
    RnnModel m = fixedModel();
    TextGenerator gen = new TextGenerator(m, fixedParams(m, PROBS));
    // At temperature 1, p = .5 needs ids 1 and 3; at 0.5 the probabilities are squared and
    // renormalized, id 1 alone has .16 / .26 > .5.
    assertEquals(java.util.Set.of(1, 3), emitted(counts(gen, 6, 2000, new SamplingSettings(1f, 0, 0.5, 1))));
    assertEquals(java.util.Set.of(1), emitted(counts(gen, 6, 2000, new SamplingSettings(0.5f, 0, 0.5, 1))));
  }

  @Test
  void topKIsAppliedBeforeTopP() {
    RnnModel m = fixedModel();
    TextGenerator gen = new TextGenerator(m, fixedParams(m, PROBS));
    // Top-3 keeps 1, 3, 4 renormalized to .5, .3125, .1875; p = .7 then keeps 1 and 3. (Top-p
    // first would keep 1, 3, 4 and top-3 would not remove any of them.)
    assertEquals(java.util.Set.of(1, 3), emitted(counts(gen, 6, 3000, new SamplingSettings(1f, 3, 0.7, 5))));
  }

  @Test
  void sampledFrequenciesMatchTheRenormalizedDistribution() {
    RnnModel m = fixedModel();
    float[] params = fixedParams(m, PROBS);
    float[] logits = logitsOf(params, m);
    TextGenerator gen = new TextGenerator(m, params);
    int draws = 20000;
    Object[][] cases = {
        {1f, 0, 1.0}, {0.7f, 0, 1.0}, {1f, 3, 1.0}, {2f, 4, 1.0}, {1f, 0, 0.85},
        {1.5f, 0, 0.6}, {1f, 5, 0.9}, {0.8f, 4, 0.95},
    };
    for (Object[] c : cases) {
      float t = (Float) c[0];
      int k = (Integer) c[1];
      double p = (Double) c[2];
      double[] q = expectedDistribution(logits, t, k, p);
      int[] n = counts(gen, PROBS.length, draws, new SamplingSettings(t, k, p, 2024));
      String label = "temperature " + t + " top-k " + k + " top-p " + p;
      double chi2 = 0;
      int cells = 0;
      for (int j = 0; j < q.length; j++) {
        if (q[j] == 0) {
          assertEquals(0, n[j], "id " + j + " is outside the kept set: " + label);
          continue;
        }
        double f = n[j] / (double) draws;
        // Five standard errors of a binomial proportion.
        double bound = 5 * Math.sqrt(q[j] * (1 - q[j]) / draws) + 1e-9;
        assertTrue(Math.abs(f - q[j]) <= bound,
            "id " + j + " frequency " + f + " expected " + q[j] + " +- " + bound + ": " + label);
        chi2 += Math.pow(n[j] - draws * q[j], 2) / (draws * q[j]);
        cells++;
      }
      // Chi-square with cells - 1 <= 5 degrees of freedom: 20.5 is its 0.999 quantile.
      assertTrue(chi2 < 20.5, "chi-square " + chi2 + " over " + cells + " cells: " + label);
    }
  }

  @Test
  void topKOfOneEqualsGreedy() {
    RnnModel m = model();
    float[] params = peakedParams(m);
    TextGenerator gen = new TextGenerator(m, params);
    List<Integer> prefix = List.of(3, 1);
    List<Integer> greedy = gen.generate(prefix, 40, SamplingSettings.GREEDY);
    for (float temperature : new float[] {0.3f, 1f, 5f}) {
      for (long seed = 0; seed < 3; seed++) {
        assertEquals(greedy, gen.generate(prefix, 40, new SamplingSettings(temperature, 1, 1.0, seed)));
        // A nucleus smaller than the top token's probability is the top token too.
        assertEquals(greedy, gen.generate(prefix, 40, new SamplingSettings(temperature, 0, 1e-6, seed)));
      }
    }
  }

  @Test
  void topKAtLeastTheVocabularyAndTopPOfOneEqualPlainSampling() {
    int v = 20;
    RnnModel m = new RnnModel(v, 6);
    float[] params = gaussian(m.layout().size(), 0.5, 4);
    TextGenerator gen = new TextGenerator(m, params);
    List<Integer> plain = gen.generate(List.of(2, 7), 80, 0.9f, 17);
    assertEquals(plain, gen.generate(List.of(2, 7), 80, new SamplingSettings(0.9f, 0, 1.0, 17)));
    assertEquals(plain, gen.generate(List.of(2, 7), 80, new SamplingSettings(0.9f, v, 1.0, 17)));
    assertEquals(plain, gen.generate(List.of(2, 7), 80, new SamplingSettings(0.9f, 1000, 1.0, 17)));
  }

  @Test
  void truncatedSamplingIsReproducibleForASeedAndVariesAcrossSeeds() {
    int v = 20;
    RnnModel m = new RnnModel(v, 6);
    float[] params = gaussian(m.layout().size(), 0.3, 5);
    TextGenerator gen = new TextGenerator(m, params);
    for (SamplingSettings s : List.of(new SamplingSettings(1f, 8, 1.0, 42),
        new SamplingSettings(1f, 0, 0.8, 42), new SamplingSettings(1.2f, 10, 0.9, 42))) {
      List<Integer> a = gen.generate(List.of(4), 60, s);
      assertEquals(a, gen.generate(List.of(4), 60, s), "same seed, same tokens: " + s);
      assertNotEquals(a, gen.generate(List.of(4), 60, s.forSample(1)), "other seed: " + s);
      assertNotEquals(a, gen.generate(List.of(4), 60,
          new SamplingSettings(s.temperature(), s.topK(), s.topP(), 43)), "other seed: " + s);
    }
  }

  @Test
  void sampleZeroKeepsTheSeedAndOtherSamplesGetDistinctSeeds() {
    SamplingSettings s = new SamplingSettings(1f, 3, 0.9, 77);
    assertEquals(s, s.forSample(0));
    java.util.Set<Long> seeds = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertEquals(SamplingSettings.sampleSeed(77, i), s.forSample(i).seed(), "deterministic");
      seeds.add(s.forSample(i).seed());
    }
    assertEquals(1000, seeds.size(), "distinct seeds");
    assertNotEquals(SamplingSettings.sampleSeed(77, 1), SamplingSettings.sampleSeed(78, 1));
  }

  @Test
  void generationStopsRightAfterTheTokenTheStopConditionAccepts() {
    int v = 20;
    RnnModel m = new RnnModel(v, 6);
    float[] params = gaussian(m.layout().size(), 1e-3, 3);
    TextGenerator gen = new TextGenerator(m, params);
    SamplingSettings s = new SamplingSettings(1f, 0, 1.0, 9);
    List<Integer> full = gen.generate(List.of(1), 200, s);
    int stopToken = full.get(30);
    int first = full.subList(1, full.size()).indexOf(stopToken) + 1;
    List<Integer> stopped = gen.generate(List.of(1), 200, s, token -> token == stopToken);
    assertEquals(full.subList(0, first + 1), stopped);
    // Never stopping is the plain run; the length stays the bound.
    assertEquals(full, gen.generate(List.of(1), 200, s, token -> false));
  }

  @Test
  void settingsRejectValuesThatCannotWorkNamingTheOption() {
    assertMessage("{topK} must be >= 1, got 0", () -> SamplingSettings.fromOptions(null, 0L, null, 0));
    assertMessage("{topK} must be >= 1, got -2", () -> new SamplingSettings(1f, -2, 1.0, 0));
    assertMessage("{topP} must be in (0, 1], got 1.5", () -> SamplingSettings.fromOptions(null, null, 1.5, 0));
    assertMessage("{topP} must be in (0, 1], got 0", () -> SamplingSettings.fromOptions(null, null, 0.0, 0));
    assertMessage("{topP} must be in (0, 1], got NaN", () -> new SamplingSettings(1f, 0, Double.NaN, 0));
    assertMessage("{temperature} must be > 0, got 0", () -> SamplingSettings.fromOptions(0f, null, null, 0));
    assertMessage("{temperature} must be > 0, got -0.5", () -> new SamplingSettings(-0.5f, 0, 1.0, 0));
  }

  @Test
  void topKOrTopPWithoutTemperatureSampleAtTemperatureOne() {
    assertEquals(new SamplingSettings(1f, 5, 1.0, 3), SamplingSettings.fromOptions(null, 5L, null, 3));
    assertEquals(new SamplingSettings(1f, 0, 0.9, 3), SamplingSettings.fromOptions(null, null, 0.9, 3));
    assertEquals(new SamplingSettings(0.7f, 5, 0.9, 3), SamplingSettings.fromOptions(0.7f, 5L, 0.9, 3));
    assertTrue(SamplingSettings.fromOptions(null, null, null, 3).greedy());
    assertEquals(Integer.MAX_VALUE, SamplingSettings.fromOptions(null, 1L << 40, null, 3).topK());
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
    assertEquals(expected, assertThrows(InvalidValueException.class, e).template());
  }

  /** The book's rnn and stacked models: full softmax (untied, tied) and adaptive. */
  private static List<LanguageModel> batchedModels() {
    return List.of(new RnnModel(30, 16),
        LanguageModels.create("lstm", 30, 12, 2, 0f),
        LanguageModels.create("gru", 30, 10, 1, 0f, 10, true),
        LanguageModels.create("lstm", 30, 16, 1, 0f, 8, false, List.of(8, 20)));
  }

  private static float[] scaledInit(LanguageModel m, float scale) {
    float[] params = new float[m.layout().size()];
    m.initialize(params, 3);
    for (int i = 0; i < params.length; i++) {
      params[i] *= scale;
    }
    return params;
  }

  @Test
  void aBatchedStepGivesEachSequenceItsOwnStateAndLogits() {
    for (LanguageModel m : batchedModels()) {
      float[] params = scaledInit(m, 4f);
      int batch = 5;
      int[] tokens = {3, 0, 29, 3, 17};
      float[] states = gaussian(batch * m.stateSize(), 0.5, 4);
      float[] logits = new float[batch * m.vocabSize()];
      float[] before = states.clone();
      m.step(params, tokens, batch, states, logits);
      for (int b = 0; b < batch; b++) {
        float[] state = java.util.Arrays.copyOfRange(before, b * m.stateSize(), (b + 1) * m.stateSize());
        float[] alone = new float[m.vocabSize()];
        m.step(params, tokens[b], state, alone);
        for (int j = 0; j < m.stateSize(); j++) {
          assertEquals(state[j], states[b * m.stateSize() + j], 1e-5f, m.cellType() + " state " + b);
        }
        for (int j = 0; j < m.vocabSize(); j++) {
          assertEquals(alone[j], logits[b * m.vocabSize() + j], 1e-4f * Math.max(1f, Math.abs(alone[j])),
              m.cellType() + " logit " + j + " of sequence " + b);
        }
      }
    }
  }

  /**
   * Samples drawn together are the samples drawn alone: the batched products round differently
   * in the last bits only, which changes a draw only when it falls within that rounding of a
   * boundary between two tokens (not for these seeds).
   */
  @Test
  void samplesGeneratedTogetherAreTheSamplesGeneratedAlone() {
    for (LanguageModel m : batchedModels()) {
      float[] params = scaledInit(m, 4f);
      TextGenerator generator = new TextGenerator(m, params);
      List<Integer> prefix = List.of(1, 2, 3);
      SamplingSettings base = new SamplingSettings(0.9f, 10, 0.95, 42);
      List<SamplingSettings> samples = new ArrayList<>();
      List<java.util.function.IntPredicate> stops = new ArrayList<>();
      // Sample 2 ends at the first occurrence of its 10th token when run unstopped; the others run on.
      int stopToken = generator.generate(prefix, 40, base.forSample(2)).get(prefix.size() + 9);
      for (int i = 0; i < 6; i++) {
        samples.add(base.forSample(i));
        boolean stopping = i == 2;
        stops.add(token -> stopping && token == stopToken);
      }
      List<List<Integer>> together = generator.generate(prefix, 40, samples, stops);
      assertEquals(6, together.size());
      for (int i = 0; i < 6; i++) {
        List<Integer> alone = generator.generate(prefix, 40, samples.get(i), stops.get(i));
        assertEquals(alone, together.get(i), m.cellType() + " sample " + i);
      }
      List<Integer> stopped = together.get(2);
      assertTrue(stopped.size() <= prefix.size() + 10 && stopped.get(stopped.size() - 1) == stopToken,
          "sample 2 stopped at its first " + stopToken + ": " + stopped);
      assertEquals(prefix.size() + 40, together.get(3).size(), "the others ran on");
      assertEquals(6, new HashSet<>(together).size(), "different seeds draw different samples");
    }
  }
}
