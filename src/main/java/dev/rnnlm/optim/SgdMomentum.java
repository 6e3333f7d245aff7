package dev.rnnlm.optim;

/**
 * SGD with (heavy-ball) momentum, {@code torch.optim.SGD(momentum=m)} with torch's defaults
 * dampening 0 and nesterov off:
 *
 * <pre>
 *   g   &lt;- g + weight_decay * p      (only when weight_decay != 0)
 *   buf &lt;- g                          (first step: torch clones the gradient)
 *   buf &lt;- momentum * buf + g         (later steps)
 *   p   &lt;- p - lr * buf
 * </pre>
 *
 * Slot: {@code momentum_buffer}. All arithmetic float32, one rounding per operation.
 */
public final class SgdMomentum extends SlottedOptimizer {
  private final float momentum;
  private final float weightDecay;

  /** Hyperparameters validated by {@link Optimizers}. */
  SgdMomentum(int size, double momentum, double weightDecay) {
    super("momentum", OptimizerSettings.DEFAULTS.withMomentum(momentum).withWeightDecay(weightDecay),
        size, "momentum_buffer");
    this.momentum = (float) momentum;
    this.weightDecay = (float) weightDecay;
  }

  @Override
  protected void update(float[] params, float[] grad, float scale, float lr, long t, int from,
                        int to) {
    float[] buf = slots[0];
    boolean l2 = weightDecay != 0f;
    boolean first = t == 1;
    for (int i = from; i < to; i++) {
      float g = l2 ? grad[i] * scale + weightDecay * params[i] : grad[i] * scale;
      float b = first ? g : momentum * buf[i] + g;
      buf[i] = b;
      params[i] -= lr * b;
    }
  }
}
