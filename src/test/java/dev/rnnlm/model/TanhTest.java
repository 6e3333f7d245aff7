package dev.rnnlm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TanhTest {
  @Test
  void tanhIsWithinOneMillionthOfMathTanhEverywhere() {
    int n = 4_000_001;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -20f + 40f * i / (n - 1);
    }
    float[] y = x.clone();
    Elementwise.tanhInPlace(y, 0, n);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(y[i] - Math.tanh(x[i])));
    }
    assertTrue(worst < 1e-6, "max |error| " + worst);
  }

  @Test
  void tanhIsOddBoundedByOneAndKeepsNan() {
    float[] x = {0f, 1e-30f, 0.5f, 3f, 7.9f, 8f, 1e4f, Float.POSITIVE_INFINITY, Float.NaN};
    float[] pos = x.clone();
    float[] neg = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      neg[i] = -x[i];
    }
    Elementwise.tanhInPlace(pos, 0, x.length);
    Elementwise.tanhInPlace(neg, 0, x.length);
    for (int i = 0; i < x.length - 1; i++) {
      assertEquals(pos[i], -neg[i], "tanh(-x) = -tanh(x) at " + x[i]);
      assertTrue(Math.abs(pos[i]) <= 1f, "|tanh(" + x[i] + ")| <= 1: 1 - tanh^2 is never negative");
    }
    assertTrue(Float.isNaN(pos[x.length - 1]), "NaN in, NaN out: divergence stays visible");
  }

  @Test
  void tanhTouchesOnlyTheGivenRange() {
    float[] a = {5f, 5f, 5f, 5f};
    Elementwise.tanhInPlace(a, 1, 3);
    assertEquals(5f, a[0]);
    assertEquals(5f, a[3]);
    assertEquals((float) Math.tanh(5), a[1], 1e-6f);
  }
}
