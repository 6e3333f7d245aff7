package dev.rnnlm.optim;

/**
 * RMSprop, {@code torch.optim.RMSprop} not centered. Element by element:
 *
 * <pre>
 *   g   &lt;- g + weight_decay * p                 (only when weight_decay != 0)
 *   sq  &lt;- alpha * sq + (1 - alpha) * g * g
 *   avg  = sqrt(sq) + eps
 *   buf &lt;- momentum * buf + g / avg;  p &lt;- p - lr * buf   (momentum &gt; 0; buf starts at 0)
 *   p   &lt;- p - lr * g / avg                                (momentum = 0)
 * </pre>
 *
 * {@code alpha} is {@code --beta2}: the same role as Adam's beta2, the decay of the squared
 * gradients' running average. Slots: {@code square_avg}, and {@code momentum_buffer} when
 * momentum &gt; 0 (as torch keeps it).
 */
public final class RmsProp extends SlottedOptimizer {
  private final float alpha;
  private final float oneMinusAlpha;
  private final float eps;
  private final float momentum;
  private final float weightDecay;

  /** Hyperparameters validated by {@link Optimizers}. */
  RmsProp(int size, double alpha, double eps, double momentum, double weightDecay) {
    super("rmsprop", OptimizerSettings.DEFAULTS.withMomentum(momentum).withBeta2(alpha).withEps(eps)
        .withWeightDecay(weightDecay), size,
        momentum > 0 ? new String[] {"square_avg", "momentum_buffer"} : new String[] {"square_avg"});
    this.alpha = (float) alpha;
    this.oneMinusAlpha = (float) (1 - alpha);
    this.eps = (float) eps;
    this.momentum = (float) momentum;
    this.weightDecay = (float) weightDecay;
  }

  @Override
  protected void update(float[] params, float[] grad, float scale, float lr, long t, int from,
                        int to) {
    float[] sq = slots[0];
    float[] buf = slots.length > 1 ? slots[1] : null;
    boolean l2 = weightDecay != 0f;
    for (int i = from; i < to; i++) {
      float g = l2 ? grad[i] * scale + weightDecay * params[i] : grad[i] * scale;
      float s = alpha * sq[i] + oneMinusAlpha * g * g;
      sq[i] = s;
      float avg = (float) Math.sqrt(s) + eps;
      if (buf != null) {
        float b = momentum * buf[i] + g / avg;
        buf[i] = b;
        params[i] -= lr * b;
      } else {
        params[i] -= lr * g / avg;
      }
    }
  }
}
