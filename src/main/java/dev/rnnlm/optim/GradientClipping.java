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
    float inv = 1f / tokens;
    for (int i = 0; i < gradSum.length; i++) {
      gradSum[i] *= inv;
    }
    return clipByGlobalNorm(gradSum, maxNorm);
  }

  /**
   * Scales {@code grad} in place so its global norm is at most {@code maxNorm}; returns the
   * norm before clipping. A gradient already within the bound is left untouched.
   */
  public static double clipByGlobalNorm(float[] grad, float maxNorm) {
    double norm = globalNorm(grad);
    if (norm > maxNorm) {
      float scale = (float) (maxNorm / norm);
      for (int i = 0; i < grad.length; i++) {
        grad[i] *= scale;
      }
    }
    return norm;
  }
}
