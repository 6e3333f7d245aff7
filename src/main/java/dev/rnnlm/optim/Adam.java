package dev.rnnlm.optim;

/**
 * Adam and AdamW, {@code torch.optim.Adam} and {@code torch.optim.AdamW} (amsgrad off). Step
 * {@code t} (from 1), element by element:
 *
 * <pre>
 *   adam:  g &lt;- g + weight_decay * p               (L2 penalty, only when weight_decay != 0)
 *   adamw: p &lt;- p * (1 - lr * weight_decay)         (decoupled decay, before the update)
 *   m &lt;- beta1 * m + (1 - beta1) * g
 *   v &lt;- beta2 * v + (1 - beta2) * g * g
 *   p &lt;- p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)
 * </pre>
 *
 * computed as torch computes the last line: {@code p - step_size * m / (sqrt(v) / sqrt(bc2) + eps)}
 * with {@code step_size = lr / bc1}, {@code bc1 = 1 - beta1^t}, {@code bc2 = 1 - beta2^t} (so
 * eps is added to {@code sqrt(v_hat)}, not to {@code sqrt(v)}). The bias corrections, {@code
 * 1 - beta} and {@code 1 - lr * weight_decay} are computed once per step in float64, as Python
 * does, then rounded to float32; the per-element work is float32.
 *
 * <p>Slots: {@code exp_avg} (m), {@code exp_avg_sq} (v).
 */
public final class Adam extends SlottedOptimizer {
  private final double beta1;
  private final double beta2;
  private final float eps;
  private final double weightDecay;
  private final boolean decoupled;

  /**
   * Adam ({@code decoupled} false: weight decay as an L2 term of the gradient) or AdamW
   * ({@code decoupled}: the parameters shrink by {@code lr * weight_decay} each step).
   * Hyperparameters validated by {@link Optimizers}.
   */
  Adam(int size, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    super(decoupled ? "adamw" : "adam", OptimizerSettings.DEFAULTS.withBeta1(beta1)
        .withBeta2(beta2).withEps(eps).withWeightDecay(weightDecay), size, "exp_avg", "exp_avg_sq");
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = (float) eps;
    this.weightDecay = weightDecay;
    this.decoupled = decoupled;
  }

  @Override
  protected void update(float[] params, float[] grad, float scale, float lr, long t, int from,
                        int to) {
    float[] m = slots[0];
    float[] v = slots[1];
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float oneMinusB1 = (float) (1 - beta1);
    float oneMinusB2 = (float) (1 - beta2);
    float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
    float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
    boolean l2 = !decoupled && weightDecay != 0;
    float wd = (float) weightDecay;
    float shrink = decoupled ? (float) (1 - lr * weightDecay) : 1f;
    for (int i = from; i < to; i++) {
      float p = params[i] * shrink;
      float g = l2 ? grad[i] * scale + wd * p : grad[i] * scale;
      float mi = b1 * m[i] + oneMinusB1 * g;
      float vi = b2 * v[i] + oneMinusB2 * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = p - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }
}
