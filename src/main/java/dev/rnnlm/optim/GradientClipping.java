package dev.rnnlm.optim;

/** Gradient clipping by global L2 norm: {@code g <- min(1, theta / ||g||) g}. */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * L2 norm of the whole vector, accumulated in double. Four partial sums (elements {@code i}
   * with the same {@code i mod 4}) added at the end: one running sum is a chain of dependent
   * additions, four times slower on ~300k elements. The order is fixed, so the result is too.
   */
  public static double globalNorm(float[] grad) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int n = grad.length;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += (double) grad[i] * grad[i];
      s1 += (double) grad[i + 1] * grad[i + 1];
      s2 += (double) grad[i + 2] * grad[i + 2];
      s3 += (double) grad[i + 3] * grad[i + 3];
    }
    for (; i < n; i++) {
      s0 += (double) grad[i] * grad[i];
    }
    return Math.sqrt((s0 + s1) + (s2 + s3));
  }

  /**
   * Divides a summed gradient by the {@code tokens} its loss was summed over (the mean loss's
   * gradient) and clips it to {@code maxNorm}, in place; returns the norm before clipping.
   */
  public static double meanClipped(float[] gradSum, long tokens, float maxNorm) {
    double norm = scaledNorm(gradSum, 1f / tokens);
    scale(gradSum, clipFactor(norm, maxNorm));
    return norm;
  }

  /**
   * {@code g *= factor} in place and the global L2 norm of the result, in one pass: the bits of
   * scaling and then {@link #globalNorm} (the same float products, summed in the same order).
   */
  public static double scaledNorm(float[] grad, float factor) {
    return scaledNorm(grad, factor, null);
  }

  /**
   * {@link #scaledNorm(float[], float)} over the ranges of {@code support} only (the whole vector
   * when null): the rows it leaves out are zero, so the bits are the whole vector's. Element i
   * goes into the partial sum {@link #globalNorm} puts it in.
   */
  public static double scaledNorm(float[] grad, float factor, RowSupport support) {
    double[] sums = new double[4];
    int tail = grad.length - grad.length % 4;   // from here on globalNorm adds into s0
    RowSupport.forEachRange(support, grad.length,
        (from, to) -> addScaledSquares(grad, factor, from, to, tail, sums));
    return Math.sqrt((sums[0] + sums[1]) + (sums[2] + sums[3]));
  }

  /** Scales [from, to) in place and adds the squares into {@code sums} as globalNorm would. */
  private static void addScaledSquares(float[] grad, float factor, int from, int to, int tail,
                                       double[] sums) {
    double s0 = sums[0];
    double s1 = sums[1];
    double s2 = sums[2];
    double s3 = sums[3];
    int i = from;
    for (; i < to && i < tail && (i & 3) != 0; i++) {   // up to a multiple of 4
      float g = grad[i] * factor;
      grad[i] = g;
      switch (i & 3) {
        case 1 -> s1 += (double) g * g;
        case 2 -> s2 += (double) g * g;
        default -> s3 += (double) g * g;
      }
    }
    int blocks = Math.min(to, tail);
    for (; i + 4 <= blocks; i += 4) {
      float g0 = grad[i] * factor;
      float g1 = grad[i + 1] * factor;
      float g2 = grad[i + 2] * factor;
      float g3 = grad[i + 3] * factor;
      grad[i] = g0;
      grad[i + 1] = g1;
      grad[i + 2] = g2;
      grad[i + 3] = g3;
      s0 += (double) g0 * g0;
      s1 += (double) g1 * g1;
      s2 += (double) g2 * g2;
      s3 += (double) g3 * g3;
    }
    for (; i < to; i++) {   // a partial block before the range's end, or globalNorm's tail
      float g = grad[i] * factor;
      grad[i] = g;
      int lane = i < tail ? i & 3 : 0;
      switch (lane) {
        case 0 -> s0 += (double) g * g;
        case 1 -> s1 += (double) g * g;
        case 2 -> s2 += (double) g * g;
        default -> s3 += (double) g * g;
      }
    }
    sums[0] = s0;
    sums[1] = s1;
    sums[2] = s2;
    sums[3] = s3;
  }

  /**
   * What clipping multiplies a gradient of global norm {@code norm} by: {@code maxNorm / norm}
   * (as a float) above the bound, else 1.
   */
  public static float clipFactor(double norm, float maxNorm) {
    return norm > maxNorm ? (float) (maxNorm / norm) : 1f;
  }

  /**
   * Scales {@code grad} in place so its global norm is at most {@code maxNorm}; returns the
   * norm before clipping. A gradient already within the bound is left untouched.
   */
  public static double clipByGlobalNorm(float[] grad, float maxNorm) {
    double norm = globalNorm(grad);
    scale(grad, clipFactor(norm, maxNorm));
    return norm;
  }

  /** {@code grad *= factor} in place; nothing to do for a factor of 1. */
  private static void scale(float[] grad, float factor) {
    if (factor != 1f) {
      for (int i = 0; i < grad.length; i++) {
        grad[i] *= factor;
      }
    }
  }
}
