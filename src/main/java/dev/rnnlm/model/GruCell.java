package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * PyTorch's nn.GRU cell, gates in torch's order r, z, n:
 * <pre>
 *   [a_r a_z a_n] = x_t W_ih + b_ih,  [p_r p_z p_n] = h_{t-1} W_hh + b_hh   (B, 3H) each
 *   r = sigmoid(a_r + p_r), z = sigmoid(a_z + p_z), n = tanh(a_n + r * p_n)
 *   h_t = (1 - z) * n + z * h_{t-1}   (computed as n + z (h_{t-1} - n), as torch does)
 * </pre>
 * The reset gate multiplies {@code p_n} after the product, so all three recurrent products are
 * one {@code (B, H) x (H, 3H)} product per step. State per sequence and layer: h. Tensors of
 * layer l: {@code W_ih_l{l} (in, 3H)} = torch's {@code weight_ih_l{l}^T},
 * {@code W_hh_l{l} (H, 3H)} = {@code weight_hh_l{l}^T}, {@code b_ih_l{l}} = {@code bias_ih_l{l}},
 * {@code b_hh_l{l}} = {@code bias_hh_l{l}}. Initialization as torch: every element
 * uniform(-1/sqrt(H), 1/sqrt(H)).
 *
 * <p>Cache: dLoss/d(h W_hh + b_hh) (T*B, 3H) at offset 0 (what {@link #backward} returns), p_n
 * (T*B, H), and per-step buffers: h W_hh + b_hh (B, 3H) and the gradient carried to h_{t-1}
 * directly through z (B, H).
 */
final class GruCell implements RecurrentCell {

  @Override
  public String type() {
    return "gru";
  }

  @Override
  public int gates() {
    return 3;
  }

  @Override
  public int stateVectors() {
    return 1;
  }

  @Override
  public boolean hasRecurrentBias() {
    return true;
  }

  @Override
  public String[] tensorNames(int layer) {
    return TorchStyle.tensorNames(layer);
  }

  @Override
  public float initialValue(boolean bias, int hidden, SplittableRandom random) {
    return TorchStyle.initialValue(hidden, random);
  }

  @Override
  public int cacheSize(int batch, int steps, int hidden) {
    return 4 * steps * batch * hidden + 4 * batch * hidden;
  }

  @Override
  public void forward(float[] params, int recurrentBias, PackedMatrix whh, LayerWindow w,
                      float[] state, int stateOffset, int stateStride) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    final int g3 = 3 * h;
    final int steps = w.steps;
    float[] gates = w.gates;
    float[] hs = w.hs;
    float[] cache = w.cache;
    final int pn = 3 * steps * bh;          // p_n per row
    final int p = pn + steps * bh;          // this step's h W_hh + b_hh, (B, 3H)
    for (int b = 0; b < n; b++) {
      System.arraycopy(state, b * stateStride + stateOffset, hs, b * h, h);
    }
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < n; b++) {
        System.arraycopy(params, recurrentBias, cache, p + b * g3, g3);
      }
      whh.multiplyAdd(n, hs, t * bh, cache, p);
      for (int b = 0; b < n; b++) {
        int row = (t * n + b) * g3;
        int pRow = p + b * g3;
        for (int k = 0; k < 2 * h; k++) {
          gates[row + k] += cache[pRow + k];
        }
        Elementwise.sigmoidInPlace(gates, row, row + 2 * h);
        int pnRow = pn + (t * n + b) * h;
        for (int j = 0; j < h; j++) {
          float pnj = cache[pRow + 2 * h + j];
          cache[pnRow + j] = pnj;
          gates[row + 2 * h + j] += gates[row + j] * pnj;
        }
        Elementwise.tanhInPlace(gates, row + 2 * h, row + g3);
        int prev = t * bh + b * h;
        int cur = prev + bh;
        for (int j = 0; j < h; j++) {
          float nj = gates[row + 2 * h + j];
          hs[cur + j] = nj + gates[row + h + j] * (hs[prev + j] - nj);
        }
      }
    }
    for (int b = 0; b < n; b++) {
      System.arraycopy(hs, steps * bh + b * h, state, b * stateStride + stateOffset, h);
    }
  }

  /**
   * t = T-1..0, with dh_t = dy_t + carry + dp_{t+1} W_hh^T (in place in {@code dy}):
   * <pre>
   *   dn = dh (1 - z) (1 - n^2),  dz = dh (h_{t-1} - n) z (1 - z),  dr = dn p_n r (1 - r)
   *   d(x W_ih + b_ih) = [dr dz dn],  dp = d(h W_hh + b_hh) = [dr dz dn*r],  carry = dh z
   * </pre>
   */
  @Override
  public float[] backward(float[] params, PackedMatrix whhTransposed, LayerWindow w,
                          float[] dy) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    final int g3 = 3 * h;
    final int steps = w.steps;
    float[] gates = w.gates;
    float[] hs = w.hs;
    float[] cache = w.cache;               // dp (T*B, 3H) at 0
    final int pn = 3 * steps * bh;
    final int carry = pn + steps * bh + n * g3;
    Arrays.fill(cache, carry, carry + bh, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      int cur = t * bh;
      if (t < steps - 1) {
        whhTransposed.multiplyAdd(n, cache, (t + 1) * n * g3, dy, cur);
      }
      for (int b = 0; b < n; b++) {
        int row = (t * n + b) * g3;
        int unit = cur + b * h;           // dy_t, h_{t-1}
        int pnRow = pn + unit;
        int carryRow = carry + b * h;
        for (int j = 0; j < h; j++) {
          float r = gates[row + j];
          float z = gates[row + h + j];
          float nj = gates[row + 2 * h + j];
          float dh = dy[unit + j] + cache[carryRow + j];
          float dn = dh * (1f - z) * (1f - nj * nj);
          float dz = dh * (hs[unit + j] - nj) * z * (1f - z);
          float dr = dn * cache[pnRow + j] * r * (1f - r);
          gates[row + j] = dr;
          gates[row + h + j] = dz;
          gates[row + 2 * h + j] = dn;
          cache[row + j] = dr;
          cache[row + h + j] = dz;
          cache[row + 2 * h + j] = dn * r;
          cache[carryRow + j] = dh * z;
        }
      }
    }
    return cache;
  }
}
