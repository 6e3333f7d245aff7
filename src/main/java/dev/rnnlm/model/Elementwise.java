package dev.rnnlm.model;

/**
 * Element-wise kernels the recurrent cells share: activations and column sums over ranges of
 * flat arrays. Each is one plain counted loop over floats (min/max, multiply-adds, one division)
 * that the JIT turns into SIMD code; none calls {@code Math.exp}. The JIT (C2's SuperWord, JDK
 * 17) vectorizes such a loop only when its arrays are indexed alike ({@code a[i]}, {@code b[i]});
 * with three arrays at different offsets ({@code a[p + i] = b[q + i] * c[r + i]}) it stays
 * scalar, 6-8x slower, so the cells' loops run over aligned planes.
 */
final class Elementwise {
  private Elementwise() {}

  /** tanh is odd and within float rounding of +-1 beyond this: the rational form is fit up to it. */
  private static final float TANH_CLAMP = 7.90531110763549805f;
  // Odd numerator (x * P(x^2)) and even denominator (Q(x^2)) of a minimax rational
  // approximation of tanh on [-TANH_CLAMP, TANH_CLAMP] (the one Eigen uses for float).
  private static final float P1 = 4.89352455891786e-03f;
  private static final float P3 = 6.37261928875436e-04f;
  private static final float P5 = 1.48572235717979e-05f;
  private static final float P7 = 5.12229709037114e-08f;
  private static final float P9 = -8.60467152213735e-11f;
  private static final float P11 = 2.00018790482477e-13f;
  private static final float P13 = -2.76076847742355e-16f;
  private static final float Q0 = 4.89352518554385e-03f;
  private static final float Q2 = 2.26843463243900e-03f;
  private static final float Q4 = 1.18534705686654e-04f;
  private static final float Q6 = 1.19825839466702e-06f;

  /**
   * tanh(x), absolute error below 1e-6 and |tanh(x)| <= 1 (so 1 - tanh^2 is never negative);
   * NaN stays NaN. Small enough to be inlined into the loops below and vectorized with them.
   */
  static float tanh(float a) {
    float x = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, a));
    float x2 = x * x;
    float p = x2 * P13 + P11;
    p = x2 * p + P9;
    p = x2 * p + P7;
    p = x2 * p + P5;
    p = x2 * p + P3;
    p = x2 * p + P1;
    float q = x2 * Q6 + Q4;
    q = x2 * q + Q2;
    q = x2 * q + Q0;
    return x * p / q;
  }

  /**
   * {@code a[i] = tanh(a[i])} for {@code from <= i < to}, absolute error below 1e-6: 15-20x
   * faster than a {@code Math.exp} per element (which took a sixth of the RNN kernel).
   */
  static void tanhInPlace(float[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      a[i] = tanh(a[i]);
    }
  }

  /**
   * {@code a[i] = sigmoid(a[i]) = 0.5 tanh(0.5 a[i]) + 0.5} for {@code from <= i < to}, with the
   * rational tanh: absolute error below 5e-7, values within float rounding of [0, 1].
   */
  static void sigmoidInPlace(float[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      a[i] = sigmoid(a[i]);
    }
  }

  /** sigmoid(x) = 0.5 tanh(0.5 x) + 0.5 with the rational {@link #tanh}. */
  static float sigmoid(float x) {
    return 0.5f * tanh(0.5f * x) + 0.5f;
  }

  /** out[off + j] += sum over rows of m[r, j] for a row-major (rows, cols) matrix. */
  static void addColumnSums(float[] m, int rows, int cols, float[] out, int off) {
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int j = 0; j < cols; j++) {
        out[off + j] += m[base + j];
      }
    }
  }
}
