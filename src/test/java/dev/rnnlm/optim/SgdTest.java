package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SgdTest {

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
    float lr = 0.37f;
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      expected[i] = params[i] - lr * grad[i];    // float32 arithmetic, as specified
    }
    float[] gradCopy = grad.clone();

    new Sgd(lr).apply(params, grad);

    for (int i = 0; i < n; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(params[i]),
          "element " + i + ": expected " + expected[i] + " got " + params[i]);
    }
    assertArrayEquals(gradCopy, grad, 0f, "gradient must not be modified");
  }

  @Test
  void stepGoesAgainstTheGradient() {
    float[] params = {1f, 1f, 1f};
    new Sgd(0.5f).apply(params, new float[] {2f, -2f, 0f});
    assertArrayEquals(new float[] {0f, 2f, 1f}, params, 0f);
  }

  @Test
  void zeroLearningRateLeavesParametersUnchanged() {
    float[] params = {0.25f, -3f, 7.5f};
    new Sgd(0f).apply(params, new float[] {100f, -100f, 1f});
    assertArrayEquals(new float[] {0.25f, -3f, 7.5f}, params, 0f);
  }

  @Test
  void repeatedStepsOnAQuadraticConverge() {
    // f(p) = 0.5 * ||p - c||^2 has gradient p - c; SGD with lr 0.5 halves the distance each step.
    float[] c = {1f, -2f, 3f};
    float[] p = new float[3];
    Sgd sgd = new Sgd(0.5f);
    for (int step = 0; step < 30; step++) {
      float[] g = new float[3];
      for (int i = 0; i < 3; i++) {
        g[i] = p[i] - c[i];
      }
      sgd.apply(p, g);
    }
    for (int i = 0; i < 3; i++) {
      assertTrue(Math.abs(p[i] - c[i]) < 1e-6, "element " + i + " = " + p[i]);
    }
  }
}
