package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import java.util.Arrays;

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
 * <p>Planes ({@link LayerWindow#plane}, (T, B, H) each unless noted, plane t at t*B*H so that
 * step t's element-wise loops index all of them alike; one output per loop, which the JIT
 * vectorizes): the input projections a_r, a_z, a_n (replaced by r, z, n; z then by dz), the
 * recurrent projections p_r, p_z, p_n (replaced by dr, dn and dp_n in backward), h leaving the
 * step (then the gradient carried to h_{t-1} through z),
 * the gradient arriving through z from the step after, dLoss/d(h W_hh + b_hh) as a (T*B, 3H)
 * matrix, and one step's h W_hh + b_hh as a (B, 3H) matrix.
 */
final class GruCell extends TorchStyleCell {

  @Override
  public String type() {
    return "gru";
  }

  @Override
  public int gates() {
    return 3;
  }

  /** The 3H gate values, h, eight planes of H and the recurrent products' gradient (3H). */
  @Override
  public long workspaceFloatsPerToken(int hidden) {
    return (3 + 1 + 8 + 3L) * hidden;
  }

  /** h_0 and one step's product h W_hh + b_hh (B, 3H). */
  @Override
  public long workspaceFloatsPerSequence(int hidden) {
    return (1 + 3L) * hidden;
  }

  @Override
  public int stateVectors() {
    return 1;
  }

  private static final int A_R = 0;
  private static final int A_Z = 1;
  private static final int A_N = 2;
  private static final int P_R = 3;
  private static final int P_Z = 4;
  private static final int P_N = 5;
  private static final int H_OUT = 6;
  private static final int CARRY_IN = 7;
  private static final int RECURRENT_GRADIENT = 8;
  private static final int STEP_PRODUCT = 9;

  @Override
  public void forward(float[] params, int recurrentBias, PackedMatrix whh, LayerWindow w,
                      float[] state, int stateOffset, int stateStride) {
    final int n = w.batch;
    final int h = w.hidden;
    final int bh = n * h;
    final int g3 = 3 * h;
    final int steps = w.steps;
    final int size = steps * bh;
    float[] gates = w.gates;
    float[] hs = w.hs;
    float[] ar = w.plane(A_R, size);
    float[] az = w.plane(A_Z, size);
    float[] an = w.plane(A_N, size);
    float[] pr = w.plane(P_R, size);
    float[] pz = w.plane(P_Z, size);
    float[] pn = w.plane(P_N, size);
    float[] hOut = w.plane(H_OUT, size);
    float[] product = w.plane(STEP_PRODUCT, n * g3);
    for (int b = 0; b < n; b++) {
      System.arraycopy(state, b * stateStride + stateOffset, hs, b * h, h);
    }
    for (int t = 0; t < steps; t++) {
      final int from = t * bh;
      final int to = from + bh;
      for (int b = 0; b < n; b++) {
        System.arraycopy(params, recurrentBias, product, b * g3, g3);
      }
      whh.multiplyAdd(n, hs, from, product, 0);
      GateRows.split(gates, t * n * g3, n, h, from, ar, az, an);
      GateRows.split(product, 0, n, h, from, pr, pz, pn);
      for (int i = from; i < to; i++) {
        ar[i] = Elementwise.sigmoid(ar[i] + pr[i]);
      }
      for (int i = from; i < to; i++) {
        az[i] = Elementwise.sigmoid(az[i] + pz[i]);
      }
      for (int i = from; i < to; i++) {
        an[i] = Elementwise.tanh(an[i] + ar[i] * pn[i]);
      }
      for (int i = from; i < to; i++) {
        hOut[i] = an[i] + az[i] * (hs[i] - an[i]);
      }
      System.arraycopy(hOut, from, hs, to, bh);
    }
    for (int b = 0; b < n; b++) {
      System.arraycopy(hs, steps * bh + b * h, state, b * stateStride + stateOffset, h);
    }
  }

  /**
   * t = T-1..0, with dh_t = dy_t + carry + dp_{t+1} W_hh^T (the product in place in {@code dy}):
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
    final int size = steps * bh;
    float[] gates = w.gates;
    float[] hs = w.hs;
    float[] ar = w.plane(A_R, size);
    float[] az = w.plane(A_Z, size);
    float[] an = w.plane(A_N, size);
    float[] dr = w.plane(P_R, size);
    float[] dn = w.plane(P_Z, size);
    float[] pn = w.plane(P_N, size);
    float[] carryOut = w.plane(H_OUT, size);
    float[] carryIn = w.plane(CARRY_IN, size);
    float[] dp = w.plane(RECURRENT_GRADIENT, steps * n * g3);
    Arrays.fill(carryIn, size - bh, size, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      final int from = t * bh;
      final int to = from + bh;
      if (t < steps - 1) {
        whhTransposed.multiplyAdd(n, dp, (t + 1) * n * g3, dy, from);
      }
      for (int i = from; i < to; i++) {
        dy[i] += carryIn[i];
      }
      for (int i = from; i < to; i++) {
        carryOut[i] = dy[i] * az[i];
      }
      for (int i = from; i < to; i++) {
        dn[i] = dy[i] * (1f - az[i]) * (1f - an[i] * an[i]);
      }
      for (int i = from; i < to; i++) {
        az[i] = dy[i] * (hs[i] - an[i]) * az[i] * (1f - az[i]);
      }
      for (int i = from; i < to; i++) {
        dr[i] = dn[i] * pn[i] * ar[i] * (1f - ar[i]);
      }
      for (int i = from; i < to; i++) {
        pn[i] = dn[i] * ar[i];
      }
      if (t > 0) {
        System.arraycopy(carryOut, from, carryIn, from - bh, bh);
      }
      GateRows.join(gates, t * n * g3, n, h, from, dr, az, dn);
      GateRows.join(dp, t * n * g3, n, h, from, dr, az, pn);
    }
    return dp;
  }
}
