package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import java.util.SplittableRandom;

/**
 * The book's cell, {@code h_t = tanh(x_t W_xh + b_h + h_{t-1} W_hh)}, with one bias per layer and
 * the book's initialization (weights N(0, 0.01), biases 0). Layer 0 keeps {@link RnnModel}'s
 * tensor names and performs its operations in the same order, so a one-layer stack has the same
 * layout and computes the same bits (dropout aside). Torch's nn.RNN: weight_ih_l{l} = W_xh^T,
 * weight_hh_l{l} = W_hh^T, bias_ih_l{l} = b_h, bias_hh_l{l} = 0.
 */
final class RnnCell implements RecurrentCell {
  private static final float INIT_STDDEV = 0.01f;

  @Override
  public String type() {
    return "rnn";
  }

  @Override
  public int gates() {
    return 1;
  }

  /** The gate value a = x W_xh + b_h + h W_hh (replaced by its gradient dA) and h. */
  @Override
  public long workspaceFloatsPerToken(int hidden) {
    return 2L * hidden;
  }

  @Override
  public int stateVectors() {
    return 1;
  }

  @Override
  public boolean hasRecurrentBias() {
    return false;
  }

  /** W_xh, W_hh, b_h for layer 0 (as {@link RnnModel}); W_xh_l1, W_hh_l1, b_h_l1, ... above. */
  @Override
  public String[] tensorNames(int layer) {
    String suffix = layer == 0 ? "" : "_l" + layer;
    return new String[] {"W_xh" + suffix, "W_hh" + suffix, "b_h" + suffix};
  }

  @Override
  public float initialValue(boolean bias, int hidden, SplittableRandom random) {
    return bias ? 0f : (float) (random.nextGaussian() * INIT_STDDEV);
  }

  /** hs[t+1] = tanh(gates[t] + hs[t] W_hh); {@code w.gates} is not needed afterwards. */
  @Override
  public void forward(float[] params, int recurrentBias, PackedMatrix whh, LayerWindow w,
                      float[] state, int stateOffset, int stateStride) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    float[] hs = w.hs;
    for (int b = 0; b < n; b++) {
      System.arraycopy(state, b * stateStride + stateOffset, hs, b * h, h);
    }
    for (int t = 0; t < w.steps; t++) {
      int cur = (t + 1) * bh;
      System.arraycopy(w.gates, t * bh, hs, cur, bh);
      whh.multiplyAdd(n, hs, t * bh, hs, cur);
      Elementwise.tanhInPlace(hs, cur, cur + bh);
    }
    for (int b = 0; b < n; b++) {
      System.arraycopy(hs, w.steps * bh + b * h, state, b * stateStride + stateOffset, h);
    }
  }

  /**
   * t = T-1..0: dh_t = dy_t + dA_{t+1} W_hh^T (in place in {@code dy}), dA_t = dh_t (1 - h_t^2)
   * into {@code w.gates}.
   */
  @Override
  public float[] backward(float[] params, PackedMatrix whhTransposed, LayerWindow w,
                          float[] dy) {
    final int n = w.batch;
    final int bh = n * w.hidden;
    float[] da = w.gates;
    float[] hs = w.hs;
    for (int t = w.steps - 1; t >= 0; t--) {
      int cur = t * bh;
      if (t < w.steps - 1) {
        whhTransposed.multiplyAdd(n, da, cur + bh, dy, cur);
      }
      int hOff = cur + bh;
      for (int i = 0; i < bh; i++) {
        float ht = hs[hOff + i];
        da[cur + i] = dy[cur + i] * (1f - ht * ht);
      }
    }
    return da;
  }
}
