package dev.rnnlm.optim;

/**
 * Plain stochastic gradient descent, {@code torch.optim.SGD} without momentum:
 *
 * <pre>
 *   g &lt;- g + weight_decay * p      (only when weight_decay != 0)
 *   p &lt;- p - lr * g
 * </pre>
 *
 * Stateless: no slot, only the step count. Without weight decay each element is {@code p -= lr
 * * g} in float32, two roundings: the book's update, which models trained with it depend on bit
 * for bit.
 */
public final class Sgd extends SlottedOptimizer {
  private final float weightDecay;
  /** The rate of the {@link #Sgd(float)} form; NaN when the rate is given per step. */
  private final float fixedRate;

  /**
   * SGD at a fixed rate, for {@link #apply(float[], float[])}.
   *
   * @deprecated a {@link LearningRateSchedule} gives the rate per step: build SGD with {@link
   *     Optimizers#create} and call {@link #apply(float[], float[], float)}. Only tests still
   *     use this form, to write out the book's step.
   */
  @Deprecated
  public Sgd(float learningRate) {
    this(learningRate, 0.0);
  }

  private Sgd(float fixedRate, double weightDecay) {
    super("sgd", OptimizerSettings.DEFAULTS.withWeightDecay(weightDecay), 0);
    this.fixedRate = fixedRate;
    this.weightDecay = (float) weightDecay;
  }

  /** SGD with the rate given per step; {@code weightDecay} validated by {@link Optimizers}. */
  static Sgd withWeightDecay(double weightDecay) {
    return new Sgd(Float.NaN, weightDecay);
  }

  /**
   * One step at the fixed rate given to {@link #Sgd(float)}.
   *
   * @deprecated call {@link #apply(float[], float[], float)} with the schedule's rate.
   */
  @Deprecated
  public void apply(float[] params, float[] grad) {
    if (Float.isNaN(fixedRate)) {
      throw new IllegalStateException("this sgd has no fixed rate: pass the rate per step");
    }
    apply(params, grad, fixedRate);
  }

  @Override
  protected boolean zeroGradientIsNoOp() {
    return weightDecay == 0f;
  }

  @Override
  protected void update(float[] params, float[] grad, float scale, float lr, long t, int from,
                        int to) {
    boolean l2 = weightDecay != 0f;
    for (int i = from; i < to; i++) {
      float g = l2 ? grad[i] * scale + weightDecay * params[i] : grad[i] * scale;
      params[i] -= lr * g;
    }
  }
}
