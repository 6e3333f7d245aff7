package dev.rnnlm.optim;

/** Gradient clipping by global L2 norm: {@code g <- min(1, theta / ||g||) g}. */
public final class GradientClipping {
  private GradientClipping() {}

  /** L2 norm of the whole vector, accumulated in double. */
  public static double globalNorm(float[] grad) {
    double sum = 0;
    for (float g : grad) {
      sum += (double) g * g;
    }
    return Math.sqrt(sum);
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
