package dev.rnnlm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RnnGradientTest {

  // ---- fixtures -------------------------------------------------------------------------

  private static double[] gaussian(int n, double std, long seed) {
    Random r = new Random(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextGaussian() * std;
    }
    return x;
  }

  /** float32 values (so production and reference see exactly the same numbers). */
  private static float[] gaussianF(int n, double std, long seed) {
    double[] d = gaussian(n, std, seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static int[] tokens(int n, int vocab, long seed) {
    Random r = new Random(seed);
    int[] x = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextInt(vocab);
    }
    return x;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static double norm(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** ||a - b|| / max(||a||, ||b||). */
  private static double relativeError(double[] a, double[] b) {
    assertEquals(a.length, b.length, "length");
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += (a[i] - b[i]) * (a[i] - b[i]);
    }
    double scale = Math.max(norm(a), norm(b));
    return scale == 0 ? 0 : Math.sqrt(d) / scale;
  }

  private static double relativeError(double a, double b) {
    double scale = Math.max(Math.abs(a), Math.abs(b));
    return scale == 0 ? 0 : Math.abs(a - b) / scale;
  }

  private static double[] subtract(double[] a, double[] b) {
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i] - b[i];
    }
    return c;
  }

  // ---- the oracle against finite differences --------------------------------------------

  @Test
  void referenceGradientMatchesCentralDifferences() {
    int v = 5;
    int h = 4;
    int batch = 2;
    int steps = 3;
    ReferenceRnn ref = new ReferenceRnn(v, h);
    double[] params = gaussian(ref.size, 0.5, 11);
    double[] state0 = gaussian(batch * h, 0.5, 12);
    int[] inputs = {0, 3, 2, 2, 4, 1};
    int[] targets = {3, 1, 2, 4, 0, 2};

    double[] grad = new double[ref.size];
    ref.lossAndGradient(params, inputs, targets, batch, steps, state0.clone(), grad);

    double eps = 1e-6;
    double[] numeric = new double[ref.size];
    for (int i = 0; i < ref.size; i++) {
      double saved = params[i];
      params[i] = saved + eps;
      double plus = ref.loss(params, inputs, targets, batch, steps, state0.clone());
      params[i] = saved - eps;
      double minus = ref.loss(params, inputs, targets, batch, steps, state0.clone());
      params[i] = saved;
      numeric[i] = (plus - minus) / (2 * eps);
    }

    // The check is not vacuous: a sizeable gradient reaching every tensor.
    assertTrue(norm(grad) > 0.5, "gradient norm " + norm(grad));
    assertTrue(grad[ref.whh] != 0 && grad[ref.bh] != 0 && grad[ref.wxh + 2 * h] != 0);

    double rel = relativeError(grad, numeric);
    assertTrue(rel < 1e-6, "relative error over the whole gradient: " + rel);
    for (int i = 0; i < ref.size; i++) {
      double scale = Math.max(Math.abs(grad[i]), Math.abs(numeric[i]));
      if (scale > 1e-3) {
        double e = Math.abs(grad[i] - numeric[i]) / scale;
        assertTrue(e < 1e-5, "element " + i + ": analytic " + grad[i] + " numeric "
            + numeric[i] + " relative error " + e);
      } else {
        assertEquals(numeric[i], grad[i], 1e-8, "element " + i);
      }
    }
  }

  // ---- production float32 against the oracle -------------------------------------------

  @Test
  void productionGradientMatchesReference() {
    int v = 11;
    int h = 16;
    int batch = 3;
    int steps = 7;
    RnnModel model = new RnnModel(v, h);
    ReferenceRnn ref = new ReferenceRnn(v, h);
    assertEquals(ref.size, model.layout().size(), "layout size");
    assertEquals(ref.whh, model.layout().tensor("W_hh").offset());
    assertEquals(ref.bh, model.layout().tensor("b_h").offset());
    assertEquals(ref.whq, model.layout().tensor("W_hq").offset());
    assertEquals(ref.bq, model.layout().tensor("b_q").offset());

    float[] params = gaussianF(ref.size, 0.4, 21);
    float[] state = gaussianF(batch * h, 0.5, 22);
    int[] inputs = tokens(batch * steps, v, 23);
    int[] targets = tokens(batch * steps, v, 24);

    double[] refState = toDouble(state);
    double[] refGrad = new double[ref.size];
    double refLoss = ref.lossAndGradient(toDouble(params), inputs, targets, batch, steps,
        refState, refGrad);

    float[] grad = new float[model.layout().size()];
    double loss = model.lossAndGradient(params, inputs, targets, batch, steps, state, grad);

    assertTrue(relativeError(refLoss, loss) < 1e-5, "loss " + loss + " vs reference " + refLoss);
    double rel = relativeError(refGrad, toDouble(grad));
    assertTrue(rel < 1e-3, "gradient relative error " + rel);
    for (Tensor t : model.layout().tensors()) {
      double[] a = Arrays.copyOfRange(refGrad, t.offset(), t.offset() + t.size());
      double[] b = Arrays.copyOfRange(toDouble(grad), t.offset(), t.offset() + t.size());
      assertTrue(norm(a) > 0, t.name() + " reference gradient is zero");
      double e = relativeError(a, b);
      assertTrue(e < 1e-3, t.name() + " gradient relative error " + e);
    }
    assertTrue(relativeError(refState, toDouble(state)) < 1e-5, "final state");
    for (int i = 0; i < state.length; i++) {
      assertEquals(refState[i], state[i], 1e-5, "final state element " + i);
    }
  }

  @Test
  void gradientIsAccumulatedNotOverwritten() {
    int v = 7;
    int h = 5;
    int batch = 2;
    int steps = 4;
    RnnModel model = new RnnModel(v, h);
    int n = model.layout().size();
    float[] params = gaussianF(n, 0.4, 31);
    float[] state0 = gaussianF(batch * h, 0.5, 32);
    int[] inputs = tokens(batch * steps, v, 33);
    int[] targets = tokens(batch * steps, v, 34);

    float[] fresh = new float[n];
    model.lossAndGradient(params, inputs, targets, batch, steps, state0.clone(), fresh);

    float[] prior = new float[n];
    for (int i = 0; i < n; i++) {
      prior[i] = (float) Math.sin(0.7 * i + 0.3);
    }
    float[] accumulated = prior.clone();
    model.lossAndGradient(params, inputs, targets, batch, steps, state0.clone(), accumulated);
    for (int i = 0; i < n; i++) {
      assertEquals(prior[i] + fresh[i], accumulated[i], 1e-5, "element " + i);
    }

    // A second call into the same buffer adds the same gradient again.
    float[] twice = new float[n];
    model.lossAndGradient(params, inputs, targets, batch, steps, state0.clone(), twice);
    model.lossAndGradient(params, inputs, targets, batch, steps, state0.clone(), twice);
    for (int i = 0; i < n; i++) {
      assertEquals(2 * fresh[i], twice[i], 1e-5, "element " + i);
    }
    assertTrue(norm(toDouble(fresh)) > 0.1);
  }

  @Test
  void lossWithoutGradientEqualsLossWithGradient() {
    int v = 9;
    int h = 6;
    int batch = 3;
    int steps = 5;
    RnnModel model = new RnnModel(v, h);
    float[] params = gaussianF(model.layout().size(), 0.4, 41);
    float[] paramsCopy = params.clone();
    float[] state0 = gaussianF(batch * h, 0.5, 42);
    int[] inputs = tokens(batch * steps, v, 43);
    int[] targets = tokens(batch * steps, v, 44);

    float[] stateA = state0.clone();
    double withGrad = model.lossAndGradient(params, inputs, targets, batch, steps, stateA,
        new float[params.length]);
    float[] stateB = state0.clone();
    double forwardOnly = model.loss(params, inputs, targets, batch, steps, stateB);

    assertEquals(withGrad, forwardOnly, 1e-9 * Math.abs(withGrad));
    assertArrayEquals(stateA, stateB, 1e-7f);
    assertFalse(Arrays.equals(state0, stateB), "state was not updated");
    assertArrayEquals(paramsCopy, params, "parameters must not be modified");

    double[] refState = toDouble(state0);
    double ref = new ReferenceRnn(v, h).loss(toDouble(params), inputs, targets, batch, steps,
        refState);
    assertTrue(relativeError(ref, forwardOnly) < 1e-5, forwardOnly + " vs reference " + ref);
  }

  @Test
  void carriedStateGetsNoGradient() {
    int v = 6;
    int h = 8;
    int batch = 2;
    int half = 4;
    RnnModel model = new RnnModel(v, h);
    ReferenceRnn ref = new ReferenceRnn(v, h);
    int n = model.layout().size();
    float[] params = gaussianF(n, 0.5, 51);
    double[] paramsD = toDouble(params);
    float[] state0 = gaussianF(batch * h, 0.5, 52);
    int[] inputs = tokens(batch * 2 * half, v, 53);
    int[] targets = tokens(batch * 2 * half, v, 54);
    // Time-major: the first `half` steps are the first half of the arrays.
    int cut = half * batch;
    int[] in1 = Arrays.copyOfRange(inputs, 0, cut);
    int[] in2 = Arrays.copyOfRange(inputs, cut, inputs.length);
    int[] tg1 = Arrays.copyOfRange(targets, 0, cut);
    int[] tg2 = Arrays.copyOfRange(targets, cut, targets.length);

    // One 2T window.
    float[] fullState = state0.clone();
    float[] fullGrad = new float[n];
    double fullLoss = model.lossAndGradient(params, inputs, targets, batch, 2 * half, fullState,
        fullGrad);

    // Two T windows with the state carried over.
    float[] splitState = state0.clone();
    float[] splitGrad = new float[n];
    double splitLoss = model.lossAndGradient(params, in1, tg1, batch, half, splitState,
        splitGrad);
    float[] carried = splitState.clone();
    splitLoss += model.lossAndGradient(params, in2, tg2, batch, half, splitState, splitGrad);

    // Forward equivalence.
    assertTrue(relativeError(fullLoss, splitLoss) < 1e-5, fullLoss + " vs " + splitLoss);
    assertArrayEquals(fullState, splitState, 1e-5f);

    // Each window's gradient treats its initial state as a constant: the second window's
    // gradient is the derivative with the carried state frozen (the reference oracle's
    // definition), not the derivative through the first window.
    float[] secondOnly = new float[n];
    model.lossAndGradient(params, in2, tg2, batch, half, carried.clone(), secondOnly);
    double[] refSecond = new double[ref.size];
    ref.lossAndGradient(paramsD, in2, tg2, batch, half, toDouble(carried), refSecond);
    double e2 = relativeError(refSecond, toDouble(secondOnly));
    assertTrue(e2 < 1e-3, "second window vs reference with frozen state: " + e2);

    double[] refSplit = new double[ref.size];
    double[] s = toDouble(state0);
    ref.lossAndGradient(paramsD, in1, tg1, batch, half, s, refSplit);
    ref.lossAndGradient(paramsD, in2, tg2, batch, half, s, refSplit);
    double eSplit = relativeError(refSplit, toDouble(splitGrad));
    assertTrue(eSplit < 1e-3, "split gradient vs reference: " + eSplit);

    double[] refFull = new double[ref.size];
    ref.lossAndGradient(paramsD, inputs, targets, batch, 2 * half, toDouble(state0), refFull);
    double eFull = relativeError(refFull, toDouble(fullGrad));
    assertTrue(eFull < 1e-3, "full gradient vs reference: " + eFull);

    // Truncation is visible: the gradients differ by far more than float32 noise.
    double truncation = relativeError(toDouble(fullGrad), toDouble(splitGrad));
    assertTrue(truncation > 1e-2, "split and full gradients should differ, got " + truncation);
    // ...only through the recurrence: the output layer's gradient (no path back in time) agrees.
    Tensor whq = model.layout().tensor("W_hq");
    double[] fullWhq = Arrays.copyOfRange(toDouble(fullGrad), whq.offset(),
        whq.offset() + whq.size());
    double[] splitWhq = Arrays.copyOfRange(toDouble(splitGrad), whq.offset(),
        whq.offset() + whq.size());
    assertTrue(relativeError(fullWhq, splitWhq) < 1e-5, "W_hq gradient should not be truncated");
  }

  @Test
  void stepMatchesOneStepWindow() {
    int v = 10;
    int h = 7;
    RnnModel model = new RnnModel(v, h);
    float[] params = gaussianF(model.layout().size(), 0.5, 61);
    float[] state0 = gaussianF(h, 0.5, 62);
    int token = 4;

    float[] stepState = state0.clone();
    float[] logits = new float[v];
    model.step(params, token, stepState, logits);
    assertFalse(Arrays.equals(state0, stepState), "step must update the state");

    for (int y = 0; y < v; y++) {
      float[] lossState = state0.clone();
      double loss = model.loss(params, new int[] {token}, new int[] {y}, 1, 1, lossState);
      assertArrayEquals(lossState, stepState, 1e-6f, "state, target " + y);

      double max = Double.NEGATIVE_INFINITY;
      for (float l : logits) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (float l : logits) {
        sum += Math.exp(l - max);
      }
      double crossEntropy = max + Math.log(sum) - logits[y];
      assertEquals(loss, crossEntropy, 1e-5 * Math.max(1, loss), "target " + y);

      float[] gradState = state0.clone();
      double lossG = model.lossAndGradient(params, new int[] {token}, new int[] {y}, 1, 1,
          gradState, new float[params.length]);
      assertArrayEquals(gradState, stepState, 1e-6f);
      assertEquals(loss, lossG, 1e-9 * loss);
    }

    // The logits are the reference's O_1 (checked through its per-target loss above and the
    // final state here).
    double[] refState = toDouble(state0);
    new ReferenceRnn(v, h).loss(toDouble(params), new int[] {token}, new int[] {0}, 1, 1,
        refState);
    for (int j = 0; j < h; j++) {
      assertEquals(refState[j], stepState[j], 1e-6, "state element " + j);
    }
  }

  @Test
  void initializationIsSeededNormalWithZeroBiases() {
    RnnModel model = new RnnModel(50, 64);
    int n = model.layout().size();
    float[] a = new float[n];
    float[] b = new float[n];
    float[] c = new float[n];
    Arrays.fill(a, Float.NaN);
    Arrays.fill(b, 7f);
    model.initialize(a, 2024);
    model.initialize(b, 2024);
    model.initialize(c, 2025);
    assertArrayEquals(a, b, "same seed, same parameters");
    assertFalse(Arrays.equals(a, c), "different seeds, different parameters");

    double sum = 0;
    double sumSq = 0;
    int count = 0;
    for (Tensor t : model.layout().tensors()) {
      if (t.name().startsWith("b_")) {
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
          assertEquals(0, Float.floatToRawIntBits(a[i]), t.name() + "[" + i + "] = " + a[i]);
        }
        continue;
      }
      double ts = 0;
      double tss = 0;
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        assertTrue(Float.isFinite(a[i]), "element " + i);
        ts += a[i];
        tss += (double) a[i] * a[i];
      }
      double std = Math.sqrt(tss / t.size() - (ts / t.size()) * (ts / t.size()));
      assertTrue(std > 0.009 && std < 0.011, t.name() + " std " + std);
      sum += ts;
      sumSq += tss;
      count += t.size();
    }
    assertEquals(50 * 64 + 64 * 64 + 64 * 50, count);
    double mean = sum / count;
    double std = Math.sqrt(sumSq / count - mean * mean);
    assertTrue(Math.abs(mean) < 5e-4, "mean " + mean);
    assertTrue(std > 0.009 && std < 0.011, "std " + std);
    assertNotEquals(0f, a[0]);
  }
}
