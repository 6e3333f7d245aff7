package dev.rnnlm.model;

/** Softmax cross-entropy over rows of logits. */
public final class Softmax {
  private Softmax() {}

  /** Per thread: one row's exponentials, so each is computed once (grown on demand). */
  private static final ThreadLocal<double[]> ROW_EXPONENTIALS = ThreadLocal.withInitial(() -> new double[0]);

  /**
   * Summed cross-entropy of a row-major {@code (rows, cols)} logit matrix against one target
   * id per row, with a max-shifted log-sum-exp. When {@code writeGradient}, each row is
   * replaced by {@code softmax(row) - onehot(target)}, the gradient of the sum. Each
   * {@code exp(logit - max)} is computed once and kept in double for the sum and the gradient.
   */
  public static double crossEntropy(float[] logits, int[] targets, int rows, int cols,
                                    boolean writeGradient) {
    double[] e = ROW_EXPONENTIALS.get();
    if (e.length < cols) {
      e = new double[cols];
      ROW_EXPONENTIALS.set(e);
    }
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int off = r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, logits[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        e[j] = Math.exp(logits[off + j] - max);
        sum += e[j];
      }
      int y = targets[r];
      total += max + Math.log(sum) - logits[off + y];
      if (writeGradient) {
        double inv = 1.0 / sum;
        for (int j = 0; j < cols; j++) {
          logits[off + j] = (float) (e[j] * inv);
        }
        logits[off + y] -= 1f;
      }
    }
    return total;
  }

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
