package dev.rnnlm.io;

import dev.rnnlm.model.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One tensor as an export writes it: a name, a shape and its row-major float32 values, which are
 * {@code values[offset .. offset + size)}. Two namings of a model's parameters:
 *
 * <ul>
 *   <li>{@link #asStored}: the layout's names and shapes, slices of the flat parameters
 *       (W_xh [V,H], W_hh [H,H], b_h [H], W_hq [H,V], b_q [V] for the one-layer rnn).
 *   <li>{@link #asTorch}: a PyTorch {@code nn.RNN}/{@code nn.GRU}/{@code nn.LSTM(V, H,
 *       num_layers=L)} under the prefix {@code rnn.} followed by an {@code nn.Linear(H, V)} as
 *       {@code out.}: per layer {@code rnn.weight_ih_l{l}} (G*H, in), {@code rnn.weight_hh_l{l}}
 *       (G*H, H), {@code rnn.bias_ih_l{l}} (G*H), {@code rnn.bias_hh_l{l}} (G*H), then
 *       {@code out.weight} (V, H) and {@code out.bias} (V). The stored weights are the
 *       transposes of torch's (rows are inputs here, outputs there), so they are transposed; the
 *       rnn cell has one bias per layer, exported as {@code bias_ih} with a zero {@code bias_hh}.
 *       Gate order is torch's already (GRU r, z, n; LSTM i, f, g, o). A model with an
 *       embedding is named as PyTorch's word_language_model {@code RNNModel}:
 *       {@code encoder.weight} (V, E), the {@code rnn.} tensors, {@code decoder.weight} (V, H) and
 *       {@code decoder.bias} (V); with tied weights {@code decoder.weight} is a copy of
 *       {@code encoder.weight}, as the tied module's {@code state_dict} holds both. An adaptive
 *       softmax replaces {@code decoder.weight} and {@code decoder.bias} with the tensors of
 *       torch's {@code nn.AdaptiveLogSoftmaxWithLoss} ({@link #adaptiveAsTorch}).
 * </ul>
 */
public record ExportedTensor(String name, int[] shape, float[] values, int offset) {
  public int size() {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  /** The model's tensors as stored, in layout order. */
  public static List<ExportedTensor> asStored(SavedModel m) {
    List<ExportedTensor> out = new ArrayList<>();
    for (Tensor t : m.model().layout().tensors()) {
      out.add(new ExportedTensor(t.name(), t.shape(), m.params(), t.offset()));
    }
    return out;
  }

  /** The model's tensors as a PyTorch module's {@code state_dict} (see the class comment). */
  public static List<ExportedTensor> asTorch(SavedModel m) {
    var layout = m.model().layout();
    boolean rnn = m.cell().equals("rnn");
    List<ExportedTensor> out = new ArrayList<>();
    boolean wordModel = m.architecture().embedding() > 0;
    if (wordModel) {
      Tensor embedding = layout.tensor("embedding");
      out.add(new ExportedTensor("encoder.weight", embedding.shape(), m.params(), embedding.offset()));
    }
    for (int l = 0; l < m.layers(); l++) {
      String suffix = l == 0 ? "" : "_l" + l;
      Tensor wih = layout.tensor(rnn ? "W_xh" + suffix : "W_ih_l" + l);
      Tensor whh = layout.tensor(rnn ? "W_hh" + suffix : "W_hh_l" + l);
      Tensor bih = layout.tensor(rnn ? "b_h" + suffix : "b_ih_l" + l);
      out.add(transposed("rnn.weight_ih_l" + l, wih, m.params()));
      out.add(transposed("rnn.weight_hh_l" + l, whh, m.params()));
      out.add(new ExportedTensor("rnn.bias_ih_l" + l, new int[] {bih.size()}, m.params(), bih.offset()));
      if (rnn) {
        out.add(new ExportedTensor("rnn.bias_hh_l" + l, new int[] {bih.size()}, new float[bih.size()], 0));
      } else {
        Tensor bhh = layout.tensor("b_hh_l" + l);
        out.add(new ExportedTensor("rnn.bias_hh_l" + l, new int[] {bhh.size()}, m.params(), bhh.offset()));
      }
    }
    String decoder = wordModel ? "decoder" : "out";
    if (m.architecture().adaptiveSoftmax()) {
      out.addAll(adaptiveAsTorch(m, decoder));
      return out;
    }
    Tensor bq = layout.tensor("b_q");
    if (m.architecture().tiedWeights()) {
      Tensor embedding = layout.tensor("embedding");
      out.add(new ExportedTensor(decoder + ".weight", embedding.shape(), m.params(), embedding.offset()));
    } else {
      out.add(transposed(decoder + ".weight", layout.tensor("W_hq"), m.params()));
    }
    out.add(new ExportedTensor(decoder + ".bias", new int[] {bq.size()}, m.params(), bq.offset()));
    return out;
  }

  /**
   * An adaptive softmax as torch's {@code nn.AdaptiveLogSoftmaxWithLoss(H, V, cutoffs,
   * div_value)} under {@code prefix}: {@code head.weight} (c_0 + K, H), per cluster
   * {@code tail.{i}.0.weight} (d_i, H) and {@code tail.{i}.1.weight} (size_i, d_i). Tied, with
   * {@code div_value=1}: the head is the embedding's first c_0 rows over the cluster rows, each
   * projection the identity (H, H), each cluster's output the embedding's rows of its ids.
   */
  private static List<ExportedTensor> adaptiveAsTorch(SavedModel m, String prefix) {
    var layout = m.model().layout();
    List<Integer> cutoffs = m.architecture().adaptiveCutoffs();
    int hidden = m.hidden();
    int vocab = m.vocabulary().size();
    int shortlist = cutoffs.get(0);
    List<ExportedTensor> out = new ArrayList<>();
    if (!m.architecture().tiedWeights()) {
      out.add(transposed(prefix + ".head.weight", layout.tensor("W_head"), m.params()));
      for (int i = 0; i < cutoffs.size(); i++) {
        out.add(transposed(prefix + ".tail." + i + ".0.weight", layout.tensor("W_tail" + i + "_proj"),
            m.params()));
        out.add(transposed(prefix + ".tail." + i + ".1.weight", layout.tensor("W_tail" + i + "_out"),
            m.params()));
      }
      return out;
    }
    Tensor embedding = layout.tensor("embedding");
    Tensor clusters = layout.tensor("W_head_clusters");
    ExportedTensor clusterRows = transposed("", clusters, m.params());
    float[] head = new float[(shortlist + cutoffs.size()) * hidden];
    System.arraycopy(m.params(), embedding.offset(), head, 0, shortlist * hidden);
    System.arraycopy(clusterRows.values(), 0, head, shortlist * hidden, cutoffs.size() * hidden);
    out.add(new ExportedTensor(prefix + ".head.weight", new int[] {shortlist + cutoffs.size(), hidden},
        head, 0));
    float[] identity = new float[hidden * hidden];
    for (int j = 0; j < hidden; j++) {
      identity[j * hidden + j] = 1f;
    }
    for (int i = 0; i < cutoffs.size(); i++) {
      int lo = cutoffs.get(i);
      int hi = i + 1 < cutoffs.size() ? cutoffs.get(i + 1) : vocab;
      out.add(new ExportedTensor(prefix + ".tail." + i + ".0.weight", new int[] {hidden, hidden},
          identity, 0));
      out.add(new ExportedTensor(prefix + ".tail." + i + ".1.weight", new int[] {hi - lo, hidden},
          m.params(), embedding.offset() + lo * hidden));
    }
    return out;
  }

  /** {@code t} (rows, cols) as a (cols, rows) copy. */
  private static ExportedTensor transposed(String name, Tensor t, float[] params) {
    float[] out = new float[t.size()];
    for (int r = 0; r < t.rows(); r++) {
      for (int c = 0; c < t.cols(); c++) {
        out[c * t.rows() + r] = params[t.offset() + r * t.cols() + c];
      }
    }
    return new ExportedTensor(name, new int[] {t.cols(), t.rows()}, out, 0);
  }
}
