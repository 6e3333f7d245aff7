package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("bit-identity")
class SgdTest {

  private static Optimizer sgd() {
    return Optimizers.create("sgd", OptimizerSettings.DEFAULTS, 0);
  }

  private static void assertSameBits(float[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          "element " + i + ": expected " + expected[i] + " got " + actual[i]);
    }
  }

  @Test
  void updateIsParamsMinusLearningRateTimesGradientExactly() {
    Random r = new Random(9);
    int n = 257;
    float[] params = new float[n];
    float[] grad = new float[n];
    for (int i = 0; i < n; i++) {
      params[i] = (float) r.nextGaussian();
      grad[i] = (float) (r.nextGaussian() * 3);
    }
    params[0] = -0f;   // signed zeros as the plain subtraction leaves them
    grad[0] = 0f;
    grad[1] = -0f;
    float lr = 0.37f;
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      expected[i] = params[i] - lr * grad[i];    // float32 arithmetic, as specified
    }
    float[] gradCopy = grad.clone();

    sgd().apply(params, grad, lr);

    assertSameBits(expected, params);
    assertArrayEquals(gradCopy, grad, 0f, "gradient must not be modified");
  }

  @Test
  @SuppressWarnings("deprecation")
  void fixedRateFormIsTheSameUpdate() {
    Random r = new Random(10);
    float[] a = new float[64];
    float[] g = new float[64];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      g[i] = (float) r.nextGaussian();
    }
    float[] b = a.clone();
    new Sgd(0.25f).apply(a, g);
    sgd().apply(b, g, 0.25f);
    assertSameBits(b, a);
  }

  @Test
  void weightDecayAddsTheL2TermToTheGradient() {
    float[] params = {1f, -2f};
    Optimizers.create("sgd", OptimizerSettings.DEFAULTS.withWeightDecay(0.5), 2)
        .apply(params, new float[] {0f, 1f}, 0.5f);
    // g + 0.5 p = {0.5, 0}: p - 0.5 g
    assertArrayEquals(new float[] {0.75f, -2f}, params, 0f);
  }

  @Test
  void stepGoesAgainstTheGradient() {
    float[] params = {1f, 1f, 1f};
    sgd().apply(params, new float[] {2f, -2f, 0f}, 0.5f);
    assertArrayEquals(new float[] {0f, 2f, 1f}, params, 0f);
  }

  @Test
  void zeroLearningRateLeavesParametersUnchanged() {
    float[] params = {0.25f, -3f, 7.5f};
    sgd().apply(params, new float[] {100f, -100f, 1f}, 0f);
    assertArrayEquals(new float[] {0.25f, -3f, 7.5f}, params, 0f);
  }

  @Test
  void repeatedStepsOnAQuadraticConverge() {
    // f(p) = 0.5 * ||p - c||^2 has gradient p - c; SGD with lr 0.5 halves the distance each step.
    float[] c = {1f, -2f, 3f};
    float[] p = new float[3];
    Optimizer sgd = sgd();
    for (int step = 0; step < 30; step++) {
      float[] g = new float[3];
      for (int i = 0; i < 3; i++) {
        g[i] = p[i] - c[i];
      }
      sgd.apply(p, g, 0.5f);
    }
    for (int i = 0; i < 3; i++) {
      assertTrue(Math.abs(p[i] - c[i]) < 1e-6, "element " + i + " = " + p[i]);
    }
    assertEquals(30, sgd.state().step());
    assertEquals(0, sgd.state().slotNames().size(), "stateless: no slot");
  }
}
