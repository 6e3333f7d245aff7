package dev.rnnlm.optim;

/**
 * The optimizer options as given on the command line; null means "not given, use the
 * optimizer's default" ({@link Optimizers#defaults}). Values are float64, as PyTorch's are
 * (Python floats): bias corrections and {@code 1 - beta} are computed in float64 and only then
 * rounded to float32, so parse them with {@link Double#parseDouble}, not as floats ({@code
 * 1 - (double) 0.999f} is {@code 0.000999987}, 1.3e-5 off).
 *
 * @param momentum {@code --momentum}: momentum's and rmsprop's momentum factor
 * @param beta1 {@code --beta1}: adam's and adamw's first-moment decay
 * @param beta2 {@code --beta2}: adam's and adamw's second-moment decay; rmsprop's smoothing
 *     constant alpha
 * @param eps {@code --eps}: added to the denominator by adam, adamw, rmsprop, adagrad
 * @param weightDecay {@code --weight-decay}: L2 penalty added to the gradient, decoupled decay
 *     for adamw
 */
public record OptimizerSettings(Double momentum, Double beta1, Double beta2, Double eps,
                                Double weightDecay) {

  /** Nothing given: every optimizer at its defaults. */
  public static final OptimizerSettings DEFAULTS = new OptimizerSettings(null, null, null, null, null);

  public OptimizerSettings withMomentum(double value) {
    return new OptimizerSettings(value, beta1, beta2, eps, weightDecay);
  }

  public OptimizerSettings withBeta1(double value) {
    return new OptimizerSettings(momentum, value, beta2, eps, weightDecay);
  }

  public OptimizerSettings withBeta2(double value) {
    return new OptimizerSettings(momentum, beta1, value, eps, weightDecay);
  }

  public OptimizerSettings withEps(double value) {
    return new OptimizerSettings(momentum, beta1, beta2, value, weightDecay);
  }

  public OptimizerSettings withWeightDecay(double value) {
    return new OptimizerSettings(momentum, beta1, beta2, eps, value);
  }

  /** The options that are set, as {@code "beta1=0.9, eps=1.0E-8"}, in option order. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    append(b, "momentum", momentum);
    append(b, "beta1", beta1);
    append(b, "beta2", beta2);
    append(b, "eps", eps);
    append(b, "weight_decay", weightDecay);
    return b.toString();
  }

  private static void append(StringBuilder b, String name, Double value) {
    if (value != null) {
      b.append(b.length() == 0 ? "" : ", ").append(name).append('=').append(value);
    }
  }
}
