package dev.rnnlm.model;

/**
 * Test oracle: the forward pass of {@link StackedModel} for every cell type in float64 with plain
 * loops, {@code Math.tanh} and {@code 1 / (1 + exp(-x))}, written from the equations (torch's
 * for gru and lstm) rather than from the production code. Gradients are taken from it by
 * central differences. Reads the parameters through the model's layout by tensor name; the
 * names and the transposition against torch are pinned by {@link TorchGoldenTest}.
 */
final class ReferenceStack {
  private final String cell;
  private final int vocab;
  private final int hidden;
  private final int layers;
  private final int embedding;
  private final boolean tied;
  /** The adaptive softmax's cutoffs, or empty: a full softmax. */
  private final java.util.List<Integer> cutoffs;
  private final ParameterLayout layout;

  ReferenceStack(LanguageModel model) {
    this.cell = model.cellType();
    this.vocab = model.vocabSize();
    this.hidden = model.hiddenSize();
    this.layers = model.layers();
    this.embedding = model.embeddingSize();
    this.tied = model.tiedWeights();
    this.cutoffs = model.adaptiveCutoffs();
    this.layout = model.layout();
  }

  private int gates() {
    switch (cell) {
      case "rnn":
        return 1;
      case "gru":
        return 3;
      default:
        return 4;
    }
  }

  private int offset(String name) {
    return layout.tensor(name).offset();
  }

  /**
   * Summed cross-entropy of the window; {@code state} (batch, L * S) is read and overwritten with
   * the final state; {@code masks[l]} (T*B, H) multiplies layer l's output, or null for none.
   * With an embedding, {@code masks[0]} (T*B, E) multiplies the embedded inputs and
   * {@code masks[l + 1]} layer l's output.
   */
  double loss(double[] params, int[] inputs, int[] targets, int batch, int steps, double[] state,
              double[][] masks) {
    final int h = hidden;
    final int g = gates();
    final int perLayer = (cell.equals("lstm") ? 2 : 1) * h;
    final int stride = layers * perLayer;
    // y[t][b][j]: the current layer's input (one-hot id for layer 0 without an embedding), then
    // its output.
    double[][][] below = null;
    int maskBase = 0;
    if (embedding > 0) {
      int emb = offset("embedding");
      below = new double[steps][batch][embedding];
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < batch; b++) {
          for (int i = 0; i < embedding; i++) {
            double m = masks == null ? 1 : masks[0][(t * batch + b) * embedding + i];
            below[t][b][i] = params[emb + inputs[t * batch + b] * embedding + i] * m;
          }
        }
      }
      maskBase = 1;
    }
    for (int l = 0; l < layers; l++) {
      String[] names = names(l);
      int wih = offset(names[0]);
      int whh = offset(names[1]);
      int bih = offset(names[2]);
      int bhh = names.length > 3 ? offset(names[3]) : -1;
      double[][][] out = new double[steps][batch][h];
      for (int b = 0; b < batch; b++) {
        double[] hPrev = new double[h];
        double[] cPrev = new double[h];
        int s = b * stride + l * perLayer;
        for (int j = 0; j < h; j++) {
          hPrev[j] = state[s + j];
          if (cell.equals("lstm")) {
            cPrev[j] = state[s + h + j];
          }
        }
        for (int t = 0; t < steps; t++) {
          double[] a = new double[g * h];   // x W_ih + b_ih
          double[] p = new double[g * h];   // h W_hh + b_hh
          for (int k = 0; k < g * h; k++) {
            a[k] = params[bih + k];
            if (l == 0 && embedding == 0) {
              a[k] += params[wih + inputs[t * batch + b] * g * h + k];
            } else {
              for (int i = 0; i < below[t][b].length; i++) {
                a[k] += below[t][b][i] * params[wih + i * g * h + k];
              }
            }
            p[k] = bhh < 0 ? 0 : params[bhh + k];
            for (int i = 0; i < h; i++) {
              p[k] += hPrev[i] * params[whh + i * g * h + k];
            }
          }
          double[] hNext = new double[h];
          for (int j = 0; j < h; j++) {
            switch (cell) {
              case "rnn":
                hNext[j] = Math.tanh(a[j] + p[j]);
                break;
              case "gru": {
                double r = sigmoid(a[j] + p[j]);
                double z = sigmoid(a[h + j] + p[h + j]);
                double n = Math.tanh(a[2 * h + j] + r * p[2 * h + j]);
                hNext[j] = (1 - z) * n + z * hPrev[j];
                break;
              }
              default: {
                double i = sigmoid(a[j] + p[j]);
                double f = sigmoid(a[h + j] + p[h + j]);
                double gg = Math.tanh(a[2 * h + j] + p[2 * h + j]);
                double o = sigmoid(a[3 * h + j] + p[3 * h + j]);
                cPrev[j] = f * cPrev[j] + i * gg;
                hNext[j] = o * Math.tanh(cPrev[j]);
              }
            }
          }
          hPrev = hNext;
          for (int j = 0; j < h; j++) {
            double m = masks == null ? 1 : masks[l + maskBase][(t * batch + b) * h + j];
            out[t][b][j] = hNext[j] * m;
          }
        }
        for (int j = 0; j < h; j++) {
          state[s + j] = hPrev[j];
          if (cell.equals("lstm")) {
            state[s + h + j] = cPrev[j];
          }
        }
      }
      below = out;
    }

    double loss = 0;
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        int target = targets[t * batch + b];
        loss -= cutoffs.isEmpty() ? fullLogProbability(params, below[t][b], target)
            : adaptiveLogProbability(params, below[t][b], target);
      }
    }
    return loss;
  }

  /** log softmax(y W_hq + b_q)[target]; tied: W_hq is the embedding (V, H) read transposed. */
  private double fullLogProbability(double[] params, double[] y, int target) {
    int whq = tied ? offset("embedding") : offset("W_hq");
    int rowStep = tied ? 1 : vocab;
    int colStep = tied ? hidden : 1;
    int bq = offset("b_q");
    double[] o = new double[vocab];
    for (int k = 0; k < vocab; k++) {
      o[k] = params[bq + k];
      for (int j = 0; j < hidden; j++) {
        o[k] += y[j] * params[whq + j * rowStep + k * colStep];
      }
    }
    return o[target] - logSumExp(o);
  }

  /**
   * The adaptive softmax's log p(target), from its definition (torch's
   * AdaptiveLogSoftmaxWithLoss): the head's log-softmax over the shortlist and one entry per
   * cluster, plus, for a target in cluster i, the log-softmax of the cluster's own scores.
   */
  private double adaptiveLogProbability(double[] params, double[] y, int target) {
    int shortlist = cutoffs.get(0);
    int clusters = cutoffs.size();
    int width = shortlist + clusters;
    double[] head = new double[width];
    for (int k = 0; k < width; k++) {
      for (int j = 0; j < hidden; j++) {
        double w;
        if (!tied) {
          w = params[offset("W_head") + j * width + k];
        } else if (k < shortlist) {
          w = params[offset("embedding") + k * hidden + j];
        } else {
          w = params[offset("W_head_clusters") + j * clusters + (k - shortlist)];
        }
        head[k] += y[j] * w;
      }
    }
    double headNorm = logSumExp(head);
    if (target < shortlist) {
      return head[target] - headNorm;
    }
    int i = 0;
    while (i + 1 < clusters && target >= cutoffs.get(i + 1)) {
      i++;
    }
    int lo = cutoffs.get(i);
    int size = (i + 1 < clusters ? cutoffs.get(i + 1) : vocab) - lo;
    double[] tail = new double[size];
    if (tied) {
      for (int m = 0; m < size; m++) {
        for (int j = 0; j < hidden; j++) {
          tail[m] += y[j] * params[offset("embedding") + (lo + m) * hidden + j];
        }
      }
    } else {
      int d = layout.tensor("W_tail" + i + "_proj").cols();
      double[] projected = new double[d];
      for (int q = 0; q < d; q++) {
        for (int j = 0; j < hidden; j++) {
          projected[q] += y[j] * params[offset("W_tail" + i + "_proj") + j * d + q];
        }
      }
      for (int m = 0; m < size; m++) {
        for (int q = 0; q < d; q++) {
          tail[m] += projected[q] * params[offset("W_tail" + i + "_out") + q * size + m];
        }
      }
    }
    return head[shortlist + i] - headNorm + tail[target - lo] - logSumExp(tail);
  }

  private static double logSumExp(double[] o) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : o) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : o) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  private String[] names(int l) {
    if (cell.equals("rnn")) {
      String suffix = l == 0 ? "" : "_l" + l;
      return new String[] {"W_xh" + suffix, "W_hh" + suffix, "b_h" + suffix};
    }
    return new String[] {"W_ih_l" + l, "W_hh_l" + l, "b_ih_l" + l, "b_hh_l" + l};
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
