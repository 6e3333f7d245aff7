package dev.rnnlm.model;

/**
 * Test oracle: an obviously-correct float64 RNN language model written with plain loops.
 * Same parameter layout as {@link RnnModel} (W_xh (V,H), W_hh (H,H), b_h (H), W_hq (H,V),
 * b_q (V), all row-major) and the same conventions: time-major windows
 * ({@code inputs[t * batch + b]}), summed cross-entropy, gradient added to {@code grad},
 * final state written back into {@code state}, no gradient into the initial state.
 */
final class ReferenceRnn {
  final int vocab;
  final int hidden;
  final int wxh;
  final int whh;
  final int bh;
  final int whq;
  final int bq;
  final int size;

  ReferenceRnn(int vocab, int hidden) {
    this.vocab = vocab;
    this.hidden = hidden;
    this.wxh = 0;
    this.whh = wxh + vocab * hidden;
    this.bh = whh + hidden * hidden;
    this.whq = bh + hidden;
    this.bq = whq + hidden * vocab;
    this.size = bq + vocab;
  }

  /** Forward only. */
  double loss(double[] params, int[] inputs, int[] targets, int batch, int steps,
              double[] state) {
    return lossAndGradient(params, inputs, targets, batch, steps, state, null);
  }

  /**
   * Summed cross-entropy over all {@code steps * batch} targets; adds its gradient to
   * {@code grad} unless {@code grad} is null; overwrites {@code state} (batch, H) with H_T.
   */
  double lossAndGradient(double[] params, int[] inputs, int[] targets, int batch, int steps,
                         double[] state, double[] grad) {
    final int v = vocab;
    final int h = hidden;
    // hs[t][b][j] = H_t, t = 0..T
    double[][][] hs = new double[steps + 1][batch][h];
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < h; j++) {
        hs[0][b][j] = state[b * h + j];
      }
    }
    // probs[t][b][k] = softmax(O_t)[b][k]
    double[][][] probs = new double[steps][batch][v];
    double loss = 0;
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        int x = inputs[t * batch + b];
        for (int j = 0; j < h; j++) {
          double a = params[wxh + x * h + j] + params[bh + j];
          for (int i = 0; i < h; i++) {
            a += hs[t][b][i] * params[whh + i * h + j];
          }
          hs[t + 1][b][j] = Math.tanh(a);
        }
        double[] o = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) {
          o[k] = params[bq + k];
          for (int j = 0; j < h; j++) {
            o[k] += hs[t + 1][b][j] * params[whq + j * v + k];
          }
          max = Math.max(max, o[k]);
        }
        double sum = 0;
        for (int k = 0; k < v; k++) {
          sum += Math.exp(o[k] - max);
        }
        double logSumExp = max + Math.log(sum);
        int y = targets[t * batch + b];
        loss += logSumExp - o[y];
        for (int k = 0; k < v; k++) {
          probs[t][b][k] = Math.exp(o[k] - logSumExp);
        }
      }
    }

    if (grad != null) {
      // dA_{t+1}, carried backwards; zero beyond the last step.
      double[][] daNext = new double[batch][h];
      for (int t = steps - 1; t >= 0; t--) {
        double[][] da = new double[batch][h];
        for (int b = 0; b < batch; b++) {
          int x = inputs[t * batch + b];
          int y = targets[t * batch + b];
          double[] dO = new double[v];
          for (int k = 0; k < v; k++) {
            dO[k] = probs[t][b][k] - (k == y ? 1.0 : 0.0);
          }
          for (int k = 0; k < v; k++) {
            grad[bq + k] += dO[k];
            for (int j = 0; j < h; j++) {
              grad[whq + j * v + k] += hs[t + 1][b][j] * dO[k];
            }
          }
          for (int j = 0; j < h; j++) {
            double dh = 0;
            for (int k = 0; k < v; k++) {
              dh += dO[k] * params[whq + j * v + k];
            }
            for (int i = 0; i < h; i++) {
              // dH_t[j] gets dA_{t+1}[i] * d(A_{t+1}[i]) / d(H_t[j]) = dA_{t+1}[i] * W_hh[j][i]
              dh += daNext[b][i] * params[whh + j * h + i];
            }
            double ht = hs[t + 1][b][j];
            da[b][j] = dh * (1 - ht * ht);
          }
          for (int j = 0; j < h; j++) {
            grad[bh + j] += da[b][j];
            grad[wxh + x * h + j] += da[b][j];
            for (int i = 0; i < h; i++) {
              grad[whh + i * h + j] += hs[t][b][i] * da[b][j];
            }
          }
        }
        daNext = da;
      }
    }

    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < h; j++) {
        state[b * h + j] = hs[steps][b][j];
      }
    }
    return loss;
  }
}
