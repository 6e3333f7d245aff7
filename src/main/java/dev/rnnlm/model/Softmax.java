package dev.rnnlm.model;

import dev.rnnlm.linalg.NativeRows;

/** Softmax cross-entropy over rows of logits. */
public final class Softmax {
  private Softmax() {}

  /**
   * Summed cross-entropy of a row-major {@code (rows, cols)} matrix of logits before their bias,
   * {@code O = logits + bias[biasOffset ..]} per row, against one target id per row, with a
   * max-shifted log-sum-exp. With {@code biasGradient} (not null) each row is replaced by
   * {@code softmax(O) - onehot(target)}, the gradient of the sum, and its column sums are added
   * to {@code biasGradient[biasGradientOffset ..]}; without, the rows are left holding O.
   *
   * <p>Fused: per row one pass adds the bias and finds the maximum, one computes and sums the
   * exponentials ({@link #expNonPositive}, kept in the row), one writes the gradient and adds it
   * to the bias gradient. The exponentials are float32 arithmetic, eight lanes at a time in
   * native code for long rows, because {@code Math.exp} per element costs as much as the output
   * layer's two products at a vocabulary of ten thousand. The sum, the logarithm and the loss
   * are double.
   */
  public static double crossEntropy(float[] logits, int rows, int cols, float[] bias,
                                    int biasOffset, int[] targets, float[] biasGradient,
                                    int biasGradientOffset) {
    return crossEntropy(logits, rows, cols, bias, biasOffset, targets, biasGradient,
        biasGradientOffset, null);
  }

  /**
   * {@link #crossEntropy(float[], int, int, float[], int, int[], float[], int)} that also writes
   * each row's cross-entropy into {@code rowLosses[r]} when it is not null; the returned sum adds
   * those values in row order.
   */
  public static double crossEntropy(float[] logits, int rows, int cols, float[] bias,
                                    int biasOffset, int[] targets, float[] biasGradient,
                                    int biasGradientOffset, double[] rowLosses) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int off = r * cols;
      float max = addAndMax(logits, off, bias, biasOffset, cols);
      int y = targets[r];
      double target = logits[off + y];
      double sum = expSum(logits, off, cols, max, biasGradient != null);
      double rowLoss = max + Math.log(sum) - target;
      total += rowLoss;
      if (rowLosses != null) {
        rowLosses[r] = rowLoss;
      }
      if (biasGradient == null) {
        continue;
      }
      float inv = (float) (1.0 / sum);
      for (int j = 0; j < cols; j++) {
        float g = logits[off + j] * inv;
        logits[off + j] = g;
        biasGradient[biasGradientOffset + j] += g;
      }
      logits[off + y] -= 1f;
      biasGradient[biasGradientOffset + y] -= 1f;
    }
    return total;
  }

  /**
   * {@link #crossEntropy(float[], int, int, float[], int, int[], float[], int)} of logits without
   * a bias; with {@code gradient} each row is replaced by {@code softmax(O) - onehot(target)}.
   */
  public static double crossEntropy(float[] logits, int rows, int cols, int[] targets,
                                    boolean gradient) {
    return crossEntropy(logits, rows, cols, targets, gradient, null);
  }

  /** The same, writing each row's cross-entropy into {@code rowLosses[r]} when not null. */
  public static double crossEntropy(float[] logits, int rows, int cols, int[] targets,
                                    boolean gradient, double[] rowLosses) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int off = r * cols;
      float max = max(logits, off, cols);
      int y = targets[r];
      double target = logits[off + y];
      double sum = expSum(logits, off, cols, max, gradient);
      double rowLoss = max + Math.log(sum) - target;
      total += rowLoss;
      if (rowLosses != null) {
        rowLosses[r] = rowLoss;
      }
      if (gradient) {
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < cols; j++) {
          logits[off + j] *= inv;
        }
        logits[off + y] -= 1f;
      }
    }
    return total;
  }

  /** The maximum of {@code a[off, off + n)}: {@link NativeRows} for long rows; the same bits. */
  static float max(float[] a, int off, int n) {
    return isNative(n) ? NativeRows.max(a, off, n) : scalarMax(a, off, n);
  }

  static float scalarMax(float[] a, int off, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, a[off + j]);
    }
    return max;
  }

  /**
   * {@code sum exp(O - max)} of the row at {@code off}; with {@code inPlace} the exponentials
   * replace the row, else the row is left as it is. For long rows one fused native pass
   * ({@link NativeRows#expShiftedSum}), else the exponentials element by element and
   * {@link #sum}; the same bits.
   */
  private static double expSum(float[] logits, int off, int cols, float max, boolean inPlace) {
    if (isNative(cols)) {
      return NativeRows.expShiftedSum(logits, off, max, inPlace ? logits : null, off, cols);
    }
    float[] row = inPlace ? logits : rowBuffer(cols);
    int rowOff = inPlace ? off : 0;
    expShifted(logits, off, max, row, rowOff, cols);
    return sum(row, rowOff, cols);
  }

  /**
   * The log-softmax of {@code logits[off .. off + cols)} into {@code out[outOff ..]}, plus
   * {@code shift}: {@code O - max - log(sum exp(O - max)) + shift}.
   */
  static void logSoftmax(float[] logits, int off, int cols, float shift, float[] out, int outOff) {
    float max = max(logits, off, cols);
    float norm = (float) (max + Math.log(expSum(logits, off, cols, max, false)));
    for (int j = 0; j < cols; j++) {
      out[outOff + j] = logits[off + j] - norm + shift;
    }
  }

  /**
   * {@code a[off + j] += bias[biasOff + j]} for j < n, returning the new row's maximum:
   * {@link NativeRows} for long rows; the same bits.
   */
  static float addAndMax(float[] a, int off, float[] bias, int biasOff, int n) {
    return isNative(n) ? NativeRows.addAndMax(a, off, bias, biasOff, n)
        : scalarAddAndMax(a, off, bias, biasOff, n);
  }

  static float scalarAddAndMax(float[] a, int off, float[] bias, int biasOff, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      float o = a[off + j] + bias[biasOff + j];
      a[off + j] = o;
      max = Math.max(max, o);
    }
    return max;
  }

  private static final boolean NATIVE_ROWS = NativeRows.available();

  /** Whether a row of n goes through {@link NativeRows}. */
  private static boolean isNative(int n) {
    return NATIVE_ROWS && n >= NativeRows.MIN_LENGTH;
  }

  /** {@code dst[dstOff + i] = expNonPositive(src[srcOff + i] - shift)} for i < n. */
  static void expShifted(float[] src, int srcOff, float shift, float[] dst, int dstOff, int n) {
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] = expNonPositive(src[srcOff + i] - shift);
    }
  }

  /** Per thread: a row's exponentials when the logits must stay (grown on demand). */
  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

  private static float[] rowBuffer(int cols) {
    float[] row = ROW.get();
    if (row.length < cols) {
      row = new float[cols];
      ROW.set(row);
    }
    return row;
  }

  /**
   * The sum of {@code a[off .. off + n)} in double, in four interleaved partial sums (elements
   * i mod 4) added at the end: a fixed order, so the same bits every time, without one long
   * chain of dependent additions.
   */
  static double sum(float[] a, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[off + i];
      s1 += a[off + i + 1];
      s2 += a[off + i + 2];
      s3 += a[off + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  static final float LOG2E = 1.44269504088896341f;
  /** ln 2 split so that n * LN2_HIGH is exact for the n that occur (|n| < 2^9). */
  static final float LN2_HIGH = 0.693359375f;
  static final float LN2_LOW = -2.12194440e-4f;
  /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
  static final float ROUND = 12582912f;
  /** Below this exp(x) is under the smallest normal float: taken as exp(-87.3). */
  static final float EXP_FLOOR = -87.3f;
  // Cephes' expf polynomial: exp(r) = 1 + r + r^2 P(r) on |r| <= ln(2)/2, relative error ~1e-7.
  static final float P0 = 1.9875691500e-4f;
  static final float P1 = 1.3981999507e-3f;
  static final float P2 = 8.3334519073e-3f;
  static final float P3 = 4.1665795894e-2f;
  static final float P4 = 1.6666665459e-1f;
  static final float P5 = 5.0000001201e-1f;

  /**
   * exp(x) for x <= 0 (and x = NaN: NaN), within 2 ulp of the float nearest {@code Math.exp}
   * down to exp(-87.3), and 1.2e-38 below that: {@code 2^n * exp(r)} with {@code n} the integer
   * nearest x log2(e) and {@code r = x - n ln 2}. Only float multiplies and adds, integer
   * arithmetic and bit moves, each exactly specified, so the same bits on every JVM and CPU, and
   * in {@code src/main/c/softmax_rows.c}'s lanes.
   */
  static float expNonPositive(float x) {
    float v = Math.max(x, EXP_FLOOR);
    float t = v * LOG2E + ROUND;   // n + 1.5 * 2^23: n in the low bits of the significand
    float n = t - ROUND;
    float r = v - n * LN2_HIGH;
    r = r - n * LN2_LOW;
    float p = P0 * r + P1;
    p = p * r + P2;
    p = p * r + P3;
    p = p * r + P4;
    p = p * r + P5;
    float e = p * (r * r) + r + 1f;
    return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) + EXPONENT_BIAS_MINUS_ROUND) << 23);
  }

  /** 127 - bits(1.5 * 2^23): bits(n + 1.5 * 2^23) plus this is n + 127, 2^n's exponent field. */
  static final int EXPONENT_BIAS_MINUS_ROUND = 127 - Float.floatToRawIntBits(12582912f);


  /** Turns logits divided by {@code temperature} into probabilities, in place. */
  public static void probabilities(float[] logits, float temperature) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int j = 0; j < logits.length; j++) {
      double e = Math.exp((logits[j] - max) / temperature);
      logits[j] = (float) e;
      sum += e;
    }
    for (int j = 0; j < logits.length; j++) {
      logits[j] = (float) (logits[j] / sum);
    }
  }
}
