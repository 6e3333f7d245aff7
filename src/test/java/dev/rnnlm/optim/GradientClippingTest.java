package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

  private static float[] gaussian(int n, double std, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * std);
    }
    return x;
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToRawIntBits(a[i]);
    }
    return b;
  }

  @Test
  void globalNormIsTheL2Norm() {
    assertEquals(13.0, GradientClipping.globalNorm(new float[] {3f, -4f, 12f}), 0.0);
    assertEquals(0.0, GradientClipping.globalNorm(new float[0]), 0.0);
    // Accumulated in double: float32 squares would overflow here.
    assertEquals(Math.sqrt(2) * 1e30, GradientClipping.globalNorm(new float[] {1e30f, 1e30f}),
        1e24);
  }

  @Test
  void normAboveThetaIsScaledToExactlyTheta() {
    float[] g = gaussian(1000, 1.0, 1);
    float[] original = g.clone();
    double before = GradientClipping.globalNorm(g);
    float theta = 2f;
    assertTrue(before > 10 * theta, "fixture norm " + before);

    GradientClipping.clipByGlobalNorm(g, theta);

    double after = GradientClipping.globalNorm(g);
    assertEquals(theta, after, 1e-6 * theta);
    // Direction preserved: every element scaled by the same positive factor theta / norm.
    double factor = theta / before;
    for (int i = 0; i < g.length; i++) {
      assertEquals(original[i] * factor, g[i], 1e-6 * Math.abs(original[i] * factor) + 1e-12,
          "element " + i);
      assertTrue(Math.signum(original[i]) == Math.signum(g[i]), "sign of element " + i);
    }
  }

  @Test
  void normBelowThetaIsUntouched() {
    float[] g = gaussian(100, 0.1, 2);
    g[3] = -0.0f;
    g[4] = Float.MIN_VALUE;
    int[] original = bits(g);
    double norm = GradientClipping.globalNorm(g);
    GradientClipping.clipByGlobalNorm(g, (float) (norm * 1.5));
    assertArrayEquals(original, bits(g));

    // Exactly at the bound is within it too.
    float[] edge = {3f, 4f};
    GradientClipping.clipByGlobalNorm(edge, 5f);
    assertArrayEquals(new float[] {3f, 4f}, edge, 0f);

    // A zero gradient stays zero (no 0/0).
    float[] zero = new float[5];
    assertEquals(0.0, GradientClipping.clipByGlobalNorm(zero, 1f), 0.0);
    assertArrayEquals(new float[5], zero, 0f);
  }

  @Test
  void returnsNormBeforeClipping() {
    float[] big = {3f, 4f, 12f};
    assertEquals(13.0, GradientClipping.clipByGlobalNorm(big, 1f), 0.0);
    assertEquals(1.0, GradientClipping.globalNorm(big), 1e-6);

    float[] small = {0.3f, 0.4f};
    double expected = GradientClipping.globalNorm(small);
    assertEquals(0.5, expected, 1e-7);
    assertEquals(expected, GradientClipping.clipByGlobalNorm(small, 1f), 0.0);
  }

  @Test
  void normIsGlobalOverAllTensors() {
    // Three "tensors" laid out in one flat vector: [0, 4) large, [4, 10) small, [10, 13) medium.
    float[] g = {
        30f, -40f, 20f, 10f,
        0.01f, -0.02f, 0.03f, 0.04f, -0.05f, 0.06f,
        1f, -2f, 2f};
    float[] original = g.clone();
    double total = GradientClipping.globalNorm(g);
    float theta = 2f;
    GradientClipping.clipByGlobalNorm(g, theta);

    double factor = theta / total;
    for (int i = 0; i < g.length; i++) {
      // One common factor, including for the tensors whose own norm is below theta.
      assertEquals(factor, g[i] / original[i], 1e-6 * factor, "element " + i);
    }
    // A per-tensor clip would have left the small tensor (norm < theta) unchanged.
    for (int i = 4; i < 10; i++) {
      assertNotEquals(original[i], g[i], "element " + i);
    }
    assertEquals(theta, GradientClipping.globalNorm(g), 1e-6 * theta);
  }

  /**
   * The driver's two-pass update (the mean and its norm in one pass, then the optimizer reading
   * the gradient times the clipping factor) computes the bits of the four passes it replaces:
   * mean, norm, clip, update. Every optimizer, with weight decay, clipped and not clipped.
   */
  @org.junit.jupiter.api.Tag("bit-identity")
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"})
  void fusedMeanNormClipAndUpdateEqualFourPassesBitForBit(String name) {
    int n = 1001;
    OptimizerSettings settings = OptimizerSettings.DEFAULTS.withWeightDecay(0.01);
    Optimizer fourPasses = Optimizers.create(name, settings, n);
    Optimizer fused = Optimizers.create(name, settings, n);
    float[] a = gaussian(n, 0.1, 1);
    float[] b = a.clone();
    long tokens = 700;
    for (int step = 0; step < 4; step++) {
      // steps 0 and 2 within the bound, 1 and 3 clipped
      float[] sum = gaussian(n, step % 2 == 0 ? 0.5 : 50, 10 + step);
      float[] g = sum.clone();
      double norm = GradientClipping.meanClipped(g, tokens, 1f);
      fourPasses.apply(a, g, 0.05f);
      float[] h = sum.clone();
      double fusedNorm = GradientClipping.scaledNorm(h, 1f / tokens);
      fused.apply(b, h, GradientClipping.clipFactor(fusedNorm, 1f), 0.05f);
      assertEquals(norm, fusedNorm, 0.0, "norm at step " + step);
      assertEquals(step % 2 == 1, norm > 1, "step " + step + " clipped as planned");
      assertArrayEquals(bits(a), bits(b), name + " after step " + step);
    }
  }
}
