package dev.rnnlm.optim;

/** Plain stochastic gradient descent: {@code p <- p - lr * g}. Stateless. */
public final class Sgd {
  private final float learningRate;

  public Sgd(float learningRate) {
    this.learningRate = learningRate;
  }

  public void apply(float[] params, float[] grad) {
    for (int i = 0; i < params.length; i++) {
      params[i] -= learningRate * grad[i];
    }
  }
}
