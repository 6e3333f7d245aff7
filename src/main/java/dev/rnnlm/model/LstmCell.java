package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import java.util.Arrays;

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
 * <p>Planes ({@link LayerWindow#plane}, each (T, B, H), plane t at t*B*H so that step t's
 * element-wise loops index all of them alike; one output per loop, which the JIT vectorizes,
 * where one loop writing several arrays ran 8x slower): the gate values i, f, g, o (the
 * gradients of i, f, o after backward), c entering the step, c leaving it (then dLoss/dc), tanh
 * of that, h leaving the step (then dLoss/dc carried back to the step before), dLoss/dc arriving
 * from the step after, and the gradient of g.
 */
final class LstmCell extends TorchStyleCell {

  @Override
  public String type() {
    return "lstm";
  }

  @Override
  public int gates() {
    return 4;
  }

  /**
   * The 4H gate values, h, and ten planes of H: the four gates, c in and out, tanh(c), h, and two
   * for backward.
   */
  @Override
  public long workspaceFloatsPerToken(int hidden) {
    return (4 + 1 + 10L) * hidden;
  }

  @Override
  public int stateVectors() {
    return 2;
  }

  private static final int GATE_I = 0;
  private static final int GATE_F = 1;
  private static final int GATE_G = 2;
  private static final int GATE_O = 3;
  private static final int C_IN = 4;
  private static final int C_OUT = 5;
  private static final int TANH_C = 6;
  private static final int H_OUT = 7;
  private static final int DC_IN = 8;
  private static final int D_G = 9;

  @Override
  public void forward(float[] params, int recurrentBias, PackedMatrix whh, LayerWindow w,
                      float[] state, int stateOffset, int stateStride) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    final int g4 = 4 * h;
    final int steps = w.steps;
    final int size = steps * bh;
    float[] gates = w.gates;
    float[] hs = w.hs;
    float[] gi = w.plane(GATE_I, size);
    float[] gf = w.plane(GATE_F, size);
    float[] gg = w.plane(GATE_G, size);
    float[] go = w.plane(GATE_O, size);
    float[] cIn = w.plane(C_IN, size);
    float[] cOut = w.plane(C_OUT, size);
    float[] tanhC = w.plane(TANH_C, size);
    float[] hOut = w.plane(H_OUT, size);
    for (int b = 0; b < n; b++) {
      int src = b * stateStride + stateOffset;
      System.arraycopy(state, src, hs, b * h, h);
      System.arraycopy(state, src + h, cIn, b * h, h);
    }
    for (int r = 0; r < steps * n; r++) {
      for (int k = 0; k < g4; k++) {
        gates[r * g4 + k] += params[recurrentBias + k];
      }
    }
    for (int t = 0; t < steps; t++) {
      final int from = t * bh;
      final int to = from + bh;
      whh.multiplyAdd(n, hs, from, gates, t * n * g4);
      GateRows.split(gates, t * n * g4, n, h, from, gi, gf, gg, go);
      Elementwise.sigmoidInPlace(gi, from, to);
      Elementwise.sigmoidInPlace(gf, from, to);
      Elementwise.tanhInPlace(gg, from, to);
      Elementwise.sigmoidInPlace(go, from, to);
      for (int i = from; i < to; i++) {
        cOut[i] = gf[i] * cIn[i] + gi[i] * gg[i];
      }
      for (int i = from; i < to; i++) {
        tanhC[i] = Elementwise.tanh(cOut[i]);
      }
      for (int i = from; i < to; i++) {
        hOut[i] = go[i] * tanhC[i];
      }
      System.arraycopy(hOut, from, hs, to, bh);
      if (t + 1 < steps) {
        System.arraycopy(cOut, from, cIn, to, bh);
      }
    }
    for (int b = 0; b < n; b++) {
      int dst = b * stateStride + stateOffset;
      System.arraycopy(hs, steps * bh + b * h, state, dst, h);
      System.arraycopy(cOut, (steps - 1) * bh + b * h, state, dst + h, h);
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
    final int size = steps * bh;
    float[] gates = w.gates;
    float[] gi = w.plane(GATE_I, size);
    float[] gf = w.plane(GATE_F, size);
    float[] gg = w.plane(GATE_G, size);
    float[] go = w.plane(GATE_O, size);
    float[] cIn = w.plane(C_IN, size);
    float[] dc = w.plane(C_OUT, size);
    float[] tanhC = w.plane(TANH_C, size);
    float[] dcOut = w.plane(H_OUT, size);
    float[] dcIn = w.plane(DC_IN, size);
    float[] dg = w.plane(D_G, size);
    Arrays.fill(dcIn, size - bh, size, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      final int from = t * bh;
      final int to = from + bh;
      if (t < steps - 1) {
        whhTransposed.multiplyAdd(n, gates, (t + 1) * n * g4, dy, from);
      }
      for (int i = from; i < to; i++) {
        dc[i] = dcIn[i] + dy[i] * go[i] * (1f - tanhC[i] * tanhC[i]);
      }
      for (int i = from; i < to; i++) {
        dcOut[i] = dc[i] * gf[i];
      }
      for (int i = from; i < to; i++) {
        dg[i] = dc[i] * gi[i] * (1f - gg[i] * gg[i]);
      }
      for (int i = from; i < to; i++) {
        gi[i] = dc[i] * gg[i] * gi[i] * (1f - gi[i]);
      }
      for (int i = from; i < to; i++) {
        gf[i] = dc[i] * cIn[i] * gf[i] * (1f - gf[i]);
      }
      for (int i = from; i < to; i++) {
        go[i] = dy[i] * tanhC[i] * go[i] * (1f - go[i]);
      }
      if (t > 0) {
        System.arraycopy(dcOut, from, dcIn, from - bh, bh);
      }
      GateRows.join(gates, t * n * g4, n, h, from, gi, gf, dg, go);
    }
    return gates;
  }
}
