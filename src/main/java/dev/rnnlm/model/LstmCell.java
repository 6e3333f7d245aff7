package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * PyTorch's nn.LSTM cell, gates in torch's order i, f, g, o:
 * <pre>
 *   [i f g o] = x_t W_ih + b_ih + h_{t-1} W_hh + b_hh      (B, 4H), one product per step
 *   i, f, o = sigmoid(.), g = tanh(.)
 *   c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t)
 * </pre>
 * State per sequence and layer: h then c. Tensors of layer l: {@code W_ih_l{l} (in, 4H)} =
 * torch's {@code weight_ih_l{l}^T}, {@code W_hh_l{l} (H, 4H)} = {@code weight_hh_l{l}^T},
 * {@code b_ih_l{l}} = {@code bias_ih_l{l}}, {@code b_hh_l{l}} = {@code bias_hh_l{l}}.
 * Initialization as torch: every element uniform(-1/sqrt(H), 1/sqrt(H)).
 *
 * <p>Cache: c_0..c_T (T+1, B, H), then tanh(c_1..c_T) (T, B, H), then dLoss/dc (B, H) for the
 * backward recurrence.
 */
final class LstmCell implements RecurrentCell {

  @Override
  public String type() {
    return "lstm";
  }

  @Override
  public int gates() {
    return 4;
  }

  @Override
  public int stateVectors() {
    return 2;
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
    return (2 * steps + 2) * batch * hidden;
  }

  @Override
  public void forward(float[] params, int recurrentBias, PackedMatrix whh, LayerWindow w,
                      float[] state, int stateOffset, int stateStride) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    final int g4 = 4 * h;
    final int steps = w.steps;
    float[] gates = w.gates;
    float[] hs = w.hs;
    float[] cs = w.cache;                 // c_0..c_T
    final int tanhC = (steps + 1) * bh;   // tanh(c_1..c_T)
    for (int b = 0; b < n; b++) {
      int src = b * stateStride + stateOffset;
      System.arraycopy(state, src, hs, b * h, h);
      System.arraycopy(state, src + h, cs, b * h, h);
    }
    for (int r = 0; r < steps * n; r++) {
      for (int k = 0; k < g4; k++) {
        gates[r * g4 + k] += params[recurrentBias + k];
      }
    }
    for (int t = 0; t < steps; t++) {
      whh.multiplyAdd(n, hs, t * bh, gates, t * n * g4);
      for (int b = 0; b < n; b++) {
        int row = (t * n + b) * g4;
        Elementwise.sigmoidInPlace(gates, row, row + 2 * h);
        Elementwise.tanhInPlace(gates, row + 2 * h, row + 3 * h);
        Elementwise.sigmoidInPlace(gates, row + 3 * h, row + g4);
        int prev = t * bh + b * h;
        int cur = prev + bh;
        int tc = tanhC + t * bh + b * h;
        for (int j = 0; j < h; j++) {
          float c = gates[row + h + j] * cs[prev + j] + gates[row + j] * gates[row + 2 * h + j];
          cs[cur + j] = c;
          cs[tc + j] = c;
        }
        Elementwise.tanhInPlace(cs, tc, tc + h);
        for (int j = 0; j < h; j++) {
          hs[cur + j] = gates[row + 3 * h + j] * cs[tc + j];
        }
      }
    }
    for (int b = 0; b < n; b++) {
      int dst = b * stateStride + stateOffset;
      System.arraycopy(hs, steps * bh + b * h, state, dst, h);
      System.arraycopy(cs, steps * bh + b * h, state, dst + h, h);
    }
  }

  /**
   * t = T-1..0, with dh_t = dy_t + dgates_{t+1} W_hh^T (in place in {@code dy}) and dc carried:
   * <pre>
   *   dc = dc_{t+1} f_{t+1} + dh o (1 - tanh(c)^2)
   *   di = dc g i (1 - i), df = dc c_{t-1} f (1 - f), dg = dc i (1 - g^2),
   *   do = dh tanh(c) o (1 - o)
   * </pre>
   * written over the gate values in {@code w.gates}; they are the gradient of both projections.
   */
  @Override
  public float[] backward(float[] params, PackedMatrix whhTransposed, LayerWindow w,
                          float[] dy) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    final int g4 = 4 * h;
    final int steps = w.steps;
    float[] gates = w.gates;
    float[] cs = w.cache;
    final int tanhC = (steps + 1) * bh;
    final int dcOff = tanhC + steps * bh;
    Arrays.fill(cs, dcOff, dcOff + bh, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      if (t < steps - 1) {
        whhTransposed.multiplyAdd(n, gates, (t + 1) * n * g4, dy, t * bh);
      }
      for (int b = 0; b < n; b++) {
        int row = (t * n + b) * g4;
        int cell = t * bh + b * h;       // dy_t and c_{t-1} (c_0..c_T are indexed from 0)
        int tc = tanhC + cell;
        int dc = dcOff + b * h;
        for (int j = 0; j < h; j++) {
          float i = gates[row + j];
          float f = gates[row + h + j];
          float g = gates[row + 2 * h + j];
          float o = gates[row + 3 * h + j];
          float tanh = cs[tc + j];
          float dh = dy[cell + j];
          float dcTotal = cs[dc + j] + dh * o * (1f - tanh * tanh);
          gates[row + j] = dcTotal * g * i * (1f - i);
          gates[row + h + j] = dcTotal * cs[cell + j] * f * (1f - f);
          gates[row + 2 * h + j] = dcTotal * i * (1f - g * g);
          gates[row + 3 * h + j] = dh * tanh * o * (1f - o);
          cs[dc + j] = dcTotal * f;
        }
      }
    }
    return gates;
  }
}
