package dev.rnnlm.model;

import static dev.rnnlm.model.Fixtures.dropoutMasks;
import static dev.rnnlm.model.Fixtures.gaussian;
import static dev.rnnlm.model.Fixtures.norm;
import static dev.rnnlm.model.Fixtures.relativeError;
import static dev.rnnlm.model.Fixtures.toDouble;
import static dev.rnnlm.model.Fixtures.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StackedModelTest {

  // ---- gradient: production float32 against central differences of the float64 oracle ----

  @ParameterizedTest(name = "{0}, {1} layer(s), dropout {2}")
  @CsvSource({"rnn, 1, 0", "rnn, 1, 0.3", "rnn, 2, 0", "rnn, 2, 0.3",
      "gru, 1, 0", "gru, 1, 0.3", "gru, 2, 0", "gru, 2, 0.3",
      "lstm, 1, 0", "lstm, 1, 0.3", "lstm, 2, 0", "lstm, 2, 0.3"})
  void gradientMatchesCentralDifferencesOfFloat64Reference(String cell, int layers,
                                                           float dropout) {
    assertGradientMatchesCentralDifferences(cell, layers, dropout, 0, false, 5, List.of());
  }

  /** Word models: an embedding (E = 4 or, tied, E = H = 5) with dropout on its output. */
  @ParameterizedTest(name = "{0}, {1} layer(s), dropout {2}, embedding {3}, tied {4}")
  @CsvSource({"lstm, 2, 0.3, 4, false", "lstm, 2, 0.3, 5, true", "lstm, 1, 0, 5, true",
      "gru, 1, 0.3, 4, false", "rnn, 1, 0, 4, false", "rnn, 2, 0.3, 5, true"})
  void embeddingAndTiedGradientsMatchCentralDifferencesOfFloat64Reference(
      String cell, int layers, float dropout, int embedding, boolean tied) {
    assertGradientMatchesCentralDifferences(cell, layers, dropout, embedding, tied, 5, List.of());
  }

  /**
   * The adaptive softmax, untied (head, per-cluster projection and output) and tied (the
   * embedding's rows score the shortlist and the clusters): one and two clusters; the targets
   * fall in every cluster, so every tail tensor gets a gradient.
   */
  @ParameterizedTest(name = "{0}, {1} layer(s), dropout {2}, embedding {3}, tied {4}, hidden {5}, cutoffs {6}")
  @CsvSource({"lstm, 2, 0.3, 5, false, 5, 3", "lstm, 2, 0.3, 5, true, 5, 3",
      "gru, 1, 0, 0, false, 16, 2;4", "rnn, 1, 0, 0, false, 5, 2", "lstm, 1, 0, 5, true, 5, 2;4"})
  void adaptiveSoftmaxGradientsMatchCentralDifferencesOfFloat64Reference(
      String cell, int layers, float dropout, int embedding, boolean tied, int hidden,
      String cutoffs) {
    List<Integer> bounds = Arrays.stream(cutoffs.split(";")).map(Integer::valueOf).toList();
    assertGradientMatchesCentralDifferences(cell, layers, dropout, embedding, tied, hidden, bounds);
  }

  private static void assertGradientMatchesCentralDifferences(String cell, int layers,
                                                              float dropout, int embedding,
                                                              boolean tied, int h,
                                                              List<Integer> cutoffs) {
    int v = 6;          // h = 5: not a multiple of the native kernel's 16-column panels
    int batch = 3;
    int steps = 4;
    long seed = 77;
    LanguageModel model = LanguageModels.create(cell, v, h, layers, dropout, embedding, tied,
        cutoffs);
    ReferenceStack ref = new ReferenceStack(model);
    int n = model.layout().size();
    float[] params = gaussian(n, 0.5, 1);
    float[] state0 = gaussian(batch * model.stateSize(), 0.5, 2);
    int[] inputs = tokens(batch * steps, v, 3);
    int[] targets = tokens(batch * steps, v, 4);
    int[] maskSizes = new int[layers + (embedding > 0 ? 1 : 0)];
    Arrays.fill(maskSizes, steps * batch * h);
    maskSizes[0] = steps * batch * (embedding > 0 ? embedding : h);
    double[][] masks = dropout > 0 ? dropoutMasks(seed, maskSizes, dropout) : null;

    float[] state = state0.clone();
    float[] grad = new float[n];
    double loss = model.lossAndGradient(params, inputs, targets, batch, steps, state, grad, seed);

    double[] p = toDouble(params);
    double[] refState = toDouble(state0);
    double refLoss = ref.loss(p, inputs, targets, batch, steps, refState, masks);
    assertTrue(relativeError(refLoss, loss) < 1e-5, "loss " + loss + " vs reference " + refLoss);
    assertArrayEquals(refState, toDouble(state), 1e-5, "final state");

    double eps = 1e-6;
    double[] numeric = new double[n];
    for (int i = 0; i < n; i++) {
      double saved = p[i];
      p[i] = saved + eps;
      double plus = ref.loss(p, inputs, targets, batch, steps, toDouble(state0), masks);
      p[i] = saved - eps;
      double minus = ref.loss(p, inputs, targets, batch, steps, toDouble(state0), masks);
      p[i] = saved;
      numeric[i] = (plus - minus) / (2 * eps);
    }
    double[] analytic = toDouble(grad);
    assertTrue(norm(numeric) > 0.5, "gradient norm " + norm(numeric));
    double rel = relativeError(numeric, analytic);
    assertTrue(rel < 1e-3, "gradient relative error " + rel);
    for (Tensor t : model.layout().tensors()) {
      double[] a = Arrays.copyOfRange(numeric, t.offset(), t.offset() + t.size());
      double[] b = Arrays.copyOfRange(analytic, t.offset(), t.offset() + t.size());
      assertTrue(norm(a) > 0, t.name() + " gets no gradient: the check would be vacuous");
      double e = relativeError(a, b);
      assertTrue(e < 2e-3, t.name() + " gradient relative error " + e);
    }
  }

  /**
   * What lets a step ship and update only some rows of the input table: its gradient is exactly
   * zero in the rows of tokens that are not inputs of the window (one-hot first layers,
   * embeddings, with either output layer), and tied weights, whose output layer writes every
   * row, have no such table.
   */
  @ParameterizedTest(name = "{0}, {1} layer(s), dropout {2}, embedding {3}, cutoffs {4}")
  @CsvSource({"rnn, 1, 0, 0, ''", "rnn, 1, 0.2, 0, ''", "lstm, 2, 0.2, 0, ''", "gru, 1, 0.2, 8, ''",
      "lstm, 2, 0.2, 8, 5;12"})
  void inputTableGradientIsZeroOutsideTheInputRows(String cell, int layers, float dropout,
                                                   int embedding, String cutoffs) {
    List<Integer> bounds = cutoffs.isEmpty() ? List.of()
        : Arrays.stream(cutoffs.split(";")).map(Integer::valueOf).toList();
    int v = 20;
    LanguageModel model = LanguageModels.create(cell, v, 16, layers, dropout, embedding, false, bounds);
    Tensor table = model.inputTable();
    assertEquals(embedding > 0 ? "embedding" : model.layout().tensors().get(0).name(), table.name());
    float[] params = gaussian(model.layout().size(), 0.3, 61);
    int[] inputs = {3, 7, 3, 19, 0, 7};   // batch 2, 3 steps: rows 0, 3, 7, 19
    int[] targets = tokens(6, v, 62);
    float[] grad = new float[model.layout().size()];
    model.lossAndGradient(params, inputs, targets, 2, 3, new float[2 * model.stateSize()], grad, 9);
    for (int row = 0; row < v; row++) {
      boolean input = row == 0 || row == 3 || row == 7 || row == 19;
      double sum = 0;
      for (int j = 0; j < table.cols(); j++) {
        sum += Math.abs(grad[table.offset() + row * table.cols() + j]);
      }
      assertEquals(input, sum > 0, "row " + row + " of " + table.name() + ": |gradient| " + sum);
    }
    assertEquals(null, LanguageModels.create(cell, v, 8, layers, 0f, 8, true, bounds).inputTable(),
        "tied weights");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rnn", "gru", "lstm"})
  void gradientIsAddedToWhatGradHolds(String cell) {
    LanguageModel model = LanguageModels.create(cell, 7, 6, 2, 0.2f);
    int n = model.layout().size();
    float[] params = gaussian(n, 0.4, 11);
    float[] state0 = gaussian(2 * model.stateSize(), 0.5, 12);
    int[] inputs = tokens(2 * 3, 7, 13);
    int[] targets = tokens(2 * 3, 7, 14);
    float[] fresh = new float[n];
    model.lossAndGradient(params, inputs, targets, 2, 3, state0.clone(), fresh, 5);
    float[] accumulated = new float[n];
    for (int i = 0; i < n; i++) {
      accumulated[i] = (float) Math.sin(0.7 * i);
    }
    float[] prior = accumulated.clone();
    model.lossAndGradient(params, inputs, targets, 2, 3, state0.clone(), accumulated, 5);
    for (int i = 0; i < n; i++) {
      assertEquals(prior[i] + fresh[i], accumulated[i], 1e-5, "element " + i);
    }
  }

  // ---- forward-only paths, carried state, generation ----------------------------------

  @Tag("bit-identity")
  @ParameterizedTest
  @ValueSource(strings = {"rnn", "gru", "lstm"})
  void lossEqualsLossAndGradientsLossAndIgnoresDropout(String cell) {
    int v = 9;
    int h = 20;
    int batch = 4;
    int steps = 6;
    LanguageModel plain = LanguageModels.create(cell, v, h, 2, 0f);
    LanguageModel dropping = LanguageModels.create(cell, v, h, 2, 0.5f);
    float[] params = gaussian(plain.layout().size(), 0.4, 21);
    float[] paramsCopy = params.clone();
    float[] state0 = gaussian(batch * plain.stateSize(), 0.5, 22);
    int[] inputs = tokens(batch * steps, v, 23);
    int[] targets = tokens(batch * steps, v, 24);

    float[] withGradState = state0.clone();
    double withGrad = plain.lossAndGradient(params, inputs, targets, batch, steps,
        withGradState, new float[params.length]);
    float[] lossState = state0.clone();
    double forwardOnly = plain.loss(params, inputs, targets, batch, steps, lossState);
    float[] droppingState = state0.clone();
    double forwardOnlyDropping = dropping.loss(params, inputs, targets, batch, steps,
        droppingState);

    assertEquals(withGrad, forwardOnly, "same forward pass, same bits");
    assertArrayEquals(withGradState, lossState);
    assertEquals(forwardOnly, forwardOnlyDropping, "loss() never drops");
    assertArrayEquals(lossState, droppingState);
    assertFalse(Arrays.equals(state0, lossState), "state was not updated");
    assertArrayEquals(paramsCopy, params, "parameters must not be modified");
    double trained = dropping.lossAndGradient(params, inputs, targets, batch, steps,
        state0.clone(), new float[params.length], 3);
    assertNotEquals(forwardOnly, trained, "lossAndGradient drops");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rnn", "gru", "lstm"})
  void carriedStateEqualsRunningTheWindowInTwoHalves(String cell) {
    int v = 8;
    int h = 24;
    int batch = 3;
    int half = 5;
    LanguageModel model = LanguageModels.create(cell, v, h, 2, 0f);
    float[] params = gaussian(model.layout().size(), 0.4, 31);
    float[] state0 = gaussian(batch * model.stateSize(), 0.5, 32);
    int[] inputs = tokens(batch * 2 * half, v, 33);
    int[] targets = tokens(batch * 2 * half, v, 34);
    int cut = half * batch;   // time-major: the first half of the steps is the first half

    float[] fullState = state0.clone();
    double full = model.lossAndGradient(params, inputs, targets, batch, 2 * half, fullState,
        new float[params.length]);
    float[] splitState = state0.clone();
    double split = model.lossAndGradient(params, Arrays.copyOfRange(inputs, 0, cut),
        Arrays.copyOfRange(targets, 0, cut), batch, half, splitState, new float[params.length]);
    split += model.loss(params, Arrays.copyOfRange(inputs, cut, inputs.length),
        Arrays.copyOfRange(targets, cut, targets.length), batch, half, splitState);

    // Both float32 runs against the float64 oracle over the whole window: the two differ from
    // each other only by rounding, which depends on how BLAS blocks 30 rows against 15 (seen:
    // 1.1e-6 apart on OpenBLAS's Haswell kernel, 0 on others).
    double[] refState = toDouble(state0);
    double ref = new ReferenceStack(model).loss(toDouble(params), inputs, targets, batch, 2 * half,
        refState, null);
    assertTrue(relativeError(ref, full) < 1e-6, full + " vs reference " + ref);
    assertTrue(relativeError(ref, split) < 1e-6, split + " vs reference " + ref);
    assertArrayEquals(refState, toDouble(fullState), 1e-5, "one window's final state");
    assertArrayEquals(refState, toDouble(splitState), 1e-5, "two halves' final state");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rnn", "gru", "lstm"})
  void stepMatchesLossTokenByToken(String cell) {
    assertStepMatchesLossTokenByToken(LanguageModels.create(cell, 10, 18, 2, 0.4f));
  }

  /** An adaptive softmax's step gives log-probabilities: their cross-entropy is the loss's. */
  @ParameterizedTest(name = "tied {0}")
  @ValueSource(booleans = {false, true})
  void adaptiveSoftmaxStepMatchesLossTokenByToken(boolean tied) {
    assertStepMatchesLossTokenByToken(
        LanguageModels.create("lstm", 10, 18, 2, 0.4f, 18, tied, List.of(3, 7)));
  }

  private static void assertStepMatchesLossTokenByToken(LanguageModel model) {
    int v = model.vocabSize();
    float[] params = gaussian(model.layout().size(), 0.5, 41);
    float[] state0 = gaussian(model.stateSize(), 0.5, 42);
    int[] sequence = tokens(12, v, 43);

    float[] stepState = state0.clone();
    float[] lossState = state0.clone();
    float[] logits = new float[v];
    for (int t = 0; t + 1 < sequence.length; t++) {
      model.step(params, sequence[t], stepState, logits);
      int target = sequence[t + 1];
      double max = Double.NEGATIVE_INFINITY;
      for (float l : logits) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (float l : logits) {
        sum += Math.exp(l - max);
      }
      double crossEntropy = max + Math.log(sum) - logits[target];
      double loss = model.loss(params, new int[] {sequence[t]}, new int[] {target}, 1, 1,
          lossState);
      assertEquals(loss, crossEntropy, 1e-5 * Math.max(1, loss), "token " + t);
      assertArrayEquals(lossState, stepState, 1e-5f, "state after token " + t);
    }
    float[] windowState = state0.clone();
    model.loss(params, Arrays.copyOfRange(sequence, 0, sequence.length - 1),
        Arrays.copyOfRange(sequence, 1, sequence.length), 1, sequence.length - 1, windowState);
    assertArrayEquals(windowState, stepState, 1e-5f, "one window = the same tokens one by one");
  }

  // ---- dropout ------------------------------------------------------------------------

  @Tag("bit-identity")
  @Test
  void dropoutMasksAreReproducibleFromTheSeedAndDifferBetweenSeeds() {
    LanguageModel model = LanguageModels.create("lstm", 12, 32, 2, 0.25f);
    int n = model.layout().size();
    float[] params = gaussian(n, 0.3, 51);
    float[] state0 = gaussian(4 * model.stateSize(), 0.5, 52);
    int[] inputs = tokens(4 * 8, 12, 53);
    int[] targets = tokens(4 * 8, 12, 54);

    float[] gradA = new float[n];
    float[] gradB = new float[n];
    float[] gradC = new float[n];
    double a = model.lossAndGradient(params, inputs, targets, 4, 8, state0.clone(), gradA, 99);
    double b = model.lossAndGradient(params, inputs, targets, 4, 8, state0.clone(), gradB, 99);
    double c = model.lossAndGradient(params, inputs, targets, 4, 8, state0.clone(), gradC, 100);
    assertEquals(a, b, "same seed, same masks");
    assertArrayEquals(gradA, gradB);
    assertNotEquals(a, c, "another seed, other masks");
    assertFalse(Arrays.equals(gradA, gradC));

    // The documented masks drop close to p of the elements, independently per layer.
    double[][] masks = dropoutMasks(99, 2, 100_000, 0.25f);
    for (double[] mask : masks) {
      long dropped = Arrays.stream(mask).filter(m -> m == 0).count();
      assertEquals(0.25, dropped / 100_000.0, 0.01);
      assertTrue(Arrays.stream(mask).allMatch(m -> m == 0 || (float) m == 1f / 0.75f));
    }
    assertFalse(Arrays.equals(masks[0], masks[1]), "layers get different masks");
  }

  // ---- factory, the rnn fast path, layout, initialization --------------------------------

  @Test
  void factoryReturnsRnnModelForOneRnnLayerWithoutDropout() {
    LanguageModel model = LanguageModels.create("rnn", 28, 64, 1, 0f);
    assertInstanceOf(RnnModel.class, model);
    assertInstanceOf(StackedModel.class, LanguageModels.create("rnn", 28, 64, 2, 0f));
    assertInstanceOf(StackedModel.class, LanguageModels.create("rnn", 28, 64, 1, 0.1f));
    for (String cell : LanguageModels.CELL_TYPES) {
      LanguageModel m = LanguageModels.create(cell, 28, 64, 3, 0.2f);
      assertEquals(cell, m.cellType());
      assertEquals(3, m.layers());
      assertEquals(0.2f, m.dropout());
    }
  }

  @Tag("bit-identity")
  @Test
  void oneLayerRnnStackComputesRnnModelsBits() {
    int v = 28;
    int h = 48;
    int batch = 5;
    int steps = 7;
    RnnModel fast = new RnnModel(v, h);
    StackedModel stack = new StackedModel(new RnnCell(), v, h, 1, 0f);
    assertEquals(fast.layout().tensors(), stack.layout().tensors(), "same layout");
    float[] initFast = new float[fast.layout().size()];
    float[] initStack = new float[stack.layout().size()];
    fast.initialize(initFast, 8);
    stack.initialize(initStack, 8);
    assertArrayEquals(initFast, initStack, "same initialization");

    float[] params = gaussian(initFast.length, 0.3, 61);
    float[] state0 = gaussian(batch * h, 0.5, 62);
    int[] inputs = tokens(batch * steps, v, 63);
    int[] targets = tokens(batch * steps, v, 64);
    float[] stateFast = state0.clone();
    float[] gradFast = new float[params.length];
    float[] stateStack = state0.clone();
    float[] gradStack = new float[params.length];
    assertEquals(fast.lossAndGradient(params, inputs, targets, batch, steps, stateFast, gradFast),
        stack.lossAndGradient(params, inputs, targets, batch, steps, stateStack, gradStack));
    assertArrayEquals(gradFast, gradStack);
    assertArrayEquals(stateFast, stateStack);
    assertEquals(fast.loss(params, inputs, targets, batch, steps, stateFast),
        stack.loss(params, inputs, targets, batch, steps, stateStack));
    assertArrayEquals(stateFast, stateStack);

    // ...and with dropout, evaluation is still RnnModel's.
    StackedModel dropping = new StackedModel(new RnnCell(), v, h, 1, 0.5f);
    assertEquals(fast.loss(params, inputs, targets, batch, steps, state0.clone()),
        dropping.loss(params, inputs, targets, batch, steps, state0.clone()));
  }

  @Test
  void factoryRejectsUnknownCellsAndBadSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LanguageModels.create("x", 28, 64, 1, 0f));
    assertEquals("unknown cell 'x': expected one of rnn, gru, lstm", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LanguageModels.create(null, 28, 64, 1, 0f));
    assertThrows(IllegalArgumentException.class, () -> LanguageModels.create("gru", 28, 64, 0, 0f));
    assertThrows(IllegalArgumentException.class, () -> LanguageModels.create("rnn", 28, 64, 0, 0f));
    assertThrows(IllegalArgumentException.class, () -> LanguageModels.create("lstm", 28, 64, 1, 1f));
    assertThrows(IllegalArgumentException.class,
        () -> LanguageModels.create("lstm", 28, 64, 1, -0.1f));
    assertThrows(IllegalArgumentException.class,
        () -> LanguageModels.create("rnn", 28, 64, 1, Float.NaN));
    assertThrows(IllegalArgumentException.class, () -> LanguageModels.create("gru", 0, 64, 1, 0f));
  }

  @Test
  void layoutIsTorchsTensorsTransposedAndStateHoldsEveryLayer() {
    int v = 28;
    int h = 16;
    LanguageModel lstm = LanguageModels.create("lstm", v, h, 2, 0f);
    String[] names = lstm.layout().tensors().stream().map(Tensor::name).toArray(String[]::new);
    assertArrayEquals(new String[] {"W_ih_l0", "W_hh_l0", "b_ih_l0", "b_hh_l0",
        "W_ih_l1", "W_hh_l1", "b_ih_l1", "b_hh_l1", "W_hq", "b_q"}, names);
    assertArrayEquals(new int[] {v, 4 * h}, lstm.layout().tensor("W_ih_l0").shape());
    assertArrayEquals(new int[] {h, 4 * h}, lstm.layout().tensor("W_ih_l1").shape());
    assertArrayEquals(new int[] {h, 4 * h}, lstm.layout().tensor("W_hh_l1").shape());
    assertArrayEquals(new int[] {4 * h}, lstm.layout().tensor("b_hh_l1").shape());
    assertArrayEquals(new int[] {h, v}, lstm.layout().tensor("W_hq").shape());
    assertEquals(2 * 2 * h, lstm.stateSize(), "h and c per layer");

    LanguageModel gru = LanguageModels.create("gru", v, h, 3, 0f);
    assertArrayEquals(new int[] {h, 3 * h}, gru.layout().tensor("W_hh_l2").shape());
    assertEquals(3 * h, gru.stateSize());
    LanguageModel rnn = LanguageModels.create("rnn", v, h, 2, 0f);
    assertEquals(Arrays.asList("W_xh", "W_hh", "b_h", "W_xh_l1", "W_hh_l1", "b_h_l1", "W_hq",
        "b_q"), rnn.layout().tensors().stream().map(Tensor::name).toList());
    assertEquals(2 * h, rnn.stateSize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gru", "lstm"})
  void initializationIsSeededAndUniformWithinOneOverSqrtHidden(String cell) {
    int h = 64;
    LanguageModel model = LanguageModels.create(cell, 30, h, 2, 0f);
    int n = model.layout().size();
    float[] a = new float[n];
    float[] b = new float[n];
    float[] c = new float[n];
    Arrays.fill(b, Float.NaN);
    model.initialize(a, 2024);
    model.initialize(b, 2024);
    model.initialize(c, 2025);
    assertArrayEquals(a, b, "same seed, same parameters");
    assertFalse(Arrays.equals(a, c), "different seeds, different parameters");
    double bound = 1 / Math.sqrt(h);
    for (Tensor t : model.layout().tensors()) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        min = Math.min(min, a[i]);
        max = Math.max(max, a[i]);
        sum += a[i];
      }
      assertTrue(min >= -bound && max <= bound, t.name() + " in [" + min + ", " + max + "]");
      if (t.size() >= 1000) {
        assertTrue(min < -0.95 * bound && max > 0.95 * bound, t.name() + " spans the interval");
        assertEquals(0, sum / t.size(), 0.05 * bound, t.name() + " mean");
      }
    }
  }
}
