package dev.rnnlm.model;

import java.util.SplittableRandom;

/**
 * What the cells that follow PyTorch's nn.GRU and nn.LSTM share: both biases, torch's tensor
 * names and torch's initialization. A new torch-style cell extends it with its gates and maths.
 */
abstract class TorchStyleCell implements RecurrentCell {
  @Override
  public boolean hasRecurrentBias() {
    return true;
  }

  /**
   * W_ih_l{l}, W_hh_l{l}, b_ih_l{l}, b_hh_l{l}: torch's weight_ih_l{l}, weight_hh_l{l} (stored
   * transposed, (in, G*H) and (H, G*H)), bias_ih_l{l}, bias_hh_l{l}.
   */
  @Override
  public String[] tensorNames(int layer) {
    return new String[] {"W_ih_l" + layer, "W_hh_l" + layer, "b_ih_l" + layer, "b_hh_l" + layer};
  }

  /**
   * uniform(-1/sqrt(H), 1/sqrt(H)), torch's initialization of every recurrent weight and bias,
   * and of nn.Linear(H, V)'s weight and bias (fan-in H), so the output layer gets the same.
   */
  @Override
  public float initialValue(boolean bias, int hidden, SplittableRandom random) {
    double bound = 1.0 / Math.sqrt(hidden);
    return (float) ((2 * random.nextDouble() - 1) * bound);
  }
}
