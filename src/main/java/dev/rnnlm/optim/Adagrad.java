package dev.rnnlm.optim;

/**
 * Adagrad, {@code torch.optim.Adagrad} with torch's defaults {@code lr_decay = 0} (the rate
 * changes only through the {@link LearningRateSchedule}) and {@code initial_accumulator_value =
 * 0}. Element by element:
 *
 * <pre>
 *   g   &lt;- g + weight_decay * p        (only when weight_decay != 0)
 *   sum &lt;- sum + g * g
 *   p   &lt;- p - lr * g / (sqrt(sum) + eps)
 * </pre>
 *
 * Slot: {@code sum}.
 */
public final class Adagrad extends SlottedOptimizer {
  private final float eps;
  private final float weightDecay;

  /** Hyperparameters validated by {@link Optimizers}. */
  Adagrad(int size, double eps, double weightDecay) {
    super("adagrad", OptimizerSettings.DEFAULTS.withEps(eps).withWeightDecay(weightDecay), size, "sum");
    this.eps = (float) eps;
    this.weightDecay = (float) weightDecay;
  }

  @Override
  protected void update(float[] params, float[] grad, float scale, float lr, long t, int from,
                        int to) {
    float[] sum = slots[0];
    boolean l2 = weightDecay != 0f;
    for (int i = from; i < to; i++) {
      float g = l2 ? grad[i] * scale + weightDecay * params[i] : grad[i] * scale;
      float s = sum[i] + g * g;
      sum[i] = s;
      params[i] -= lr * g / ((float) Math.sqrt(s) + eps);
    }
  }
}
