package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import dev.rnnlm.linalg.RowMajor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A language model of {@code L} stacked recurrent layers of one {@link RecurrentCell} type
 * (rnn, gru, lstm), with inverted dropout on each layer's output and a linear output layer:
 * <pre>
 *   y^0_t = h^0_t = cell(onehot(x_t) W_ih^0 + b_ih^0, h^0_{t-1})        (row gather)
 *   y^l_t = drop(h^l_t),  h^l_t = cell(y^{l-1}_t W_ih^l + b_ih^l, h^l_{t-1})
 *   O_t = y^{L-1}_t W_hq + b_q,  loss = sum of softmax cross-entropy
 * </pre>
 * {@code drop} multiplies by an inverted-dropout mask (0 with probability p, else 1/(1-p)) in
 * {@link #lossAndGradient}, and is the identity in {@link #loss} and {@link #step}. It acts on
 * what flows up (to the next layer and to the output layer), never on the recurrent path; unlike
 * torch's nn.LSTM(dropout=p) it also acts on the last layer's output.
 *
 * <p><b>Parameter layout</b> (row-major, in this order): per layer l the cell's tensors
 * ({@link RecurrentCell#tensorNames}) {@code W_ih (in, G*H)} with in = V for layer 0 and H
 * above, {@code W_hh (H, G*H)}, {@code b_ih (G*H)} and, for gru and lstm, {@code b_hh (G*H)};
 * then {@code W_hq (H, V)} and {@code b_q (V)}. The weights are the transposes of torch's
 * {@code weight_ih_l{l} (G*H, in)} and {@code weight_hh_l{l} (G*H, H)}, the output layer torch's
 * {@code nn.Linear(H, V)} with {@code weight = W_hq^T}, {@code bias = b_q}.
 *
 * <p><b>State layout</b> per sequence ({@link #stateSize()} floats): layer 0's state, then layer
 * 1's, ...; each is {@code h} (H floats) for rnn and gru, {@code h} then {@code c} (2H) for lstm.
 *
 * <p><b>Initialization</b>: one {@code SplittableRandom(seed)} draws every element in layout
 * order through {@link RecurrentCell#initialValue}: gru and lstm as torch (all weights and
 * biases, output layer included, uniform(-1/sqrt(H), 1/sqrt(H))); rnn as {@link RnnModel}
 * (weights N(0, 0.01), biases 0), so a one-layer rnn stack starts where RnnModel starts.
 *
 * <p><b>Dropout masks</b>: layer l's mask over its (T*B, H) outputs, element by element in
 * row-major order, keeps an element when the next 32 bits (low half, then high half of each
 * {@code nextLong()}) of the l-th {@code split()} of {@code new SplittableRandom(dropoutSeed)}
 * are at least p * 2^32: a function of the seed and the window's shape only.
 *
 * <p>Computation, per layer: the input projections of all T*B rows at once (a row gather for
 * layer 0, one GEMM above), then the cell's time loop with one {@link PackedMatrix} product per
 * step ({@code W_hh} packed once per call, {@code W_hh^T} once for BPTT), and the weight
 * gradients as one GEMM each over all rows. Scratch arrays are per thread.
 */
public final class StackedModel implements LanguageModel {

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /** A thread's buffers, grown on demand; contents are not cleared. */
  private static final class Workspace {
    final List<LayerWindow> layers = new ArrayList<>();
    float[] logits = new float[0];
    float[] dy = new float[0];
    /** W_hh of the layer running forward. */
    final PackedMatrix packed = new PackedMatrix();
    /** W_hh^T of the layer running backward. */
    final PackedMatrix packedTransposed = new PackedMatrix();
    /** For the single product of a generation step: not worth packing. */
    final PackedMatrix unpacked = PackedMatrix.unpacked();

    LayerWindow layer(int l) {
      while (layers.size() <= l) {
        layers.add(new LayerWindow());
      }
      return layers.get(l);
    }

    float[] logits(int size) {
      return logits.length >= size ? logits : (logits = new float[size]);
    }

    float[] dy(int size) {
      return dy.length >= size ? dy : (dy = new float[size]);
    }
  }

  /** One layer's tensors; {@code recurrentBias} is null for cells without b_hh. */
  private record LayerTensors(Tensor inputWeights, Tensor recurrentWeights, Tensor inputBias,
                              Tensor recurrentBias) implements java.io.Serializable {
    int recurrentBiasOffset() {
      return recurrentBias == null ? -1 : recurrentBias.offset();
    }
  }

  private final RecurrentCell cell;
  private final int vocab;
  private final int hidden;
  private final int layerCount;
  private final float dropout;
  private final ParameterLayout layout;
  private final LayerTensors[] layerTensors;
  private final Tensor whq;
  private final Tensor bq;

  /** Through {@link LanguageModels#create}, which validates the arguments. */
  StackedModel(RecurrentCell cell, int vocabSize, int hiddenSize, int layers, float dropout) {
    if (vocabSize < 1 || hiddenSize < 1 || layers < 1) {
      throw new IllegalArgumentException("vocabulary, hidden and layer counts must be > 0, got "
          + vocabSize + ", " + hiddenSize + " and " + layers);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    this.cell = cell;
    this.vocab = vocabSize;
    this.hidden = hiddenSize;
    this.layerCount = layers;
    this.dropout = dropout;
    int width = cell.gates() * hiddenSize;
    ParameterLayout.Builder b = ParameterLayout.builder();
    layerTensors = new LayerTensors[layers];
    for (int l = 0; l < layers; l++) {
      String[] names = cell.tensorNames(l);
      Tensor wih = b.add(names[0], l == 0 ? vocabSize : hiddenSize, width);
      Tensor whh = b.add(names[1], hiddenSize, width);
      Tensor bih = b.add(names[2], 1, width);
      Tensor bhh = cell.hasRecurrentBias() ? b.add(names[3], 1, width) : null;
      layerTensors[l] = new LayerTensors(wih, whh, bih, bhh);
    }
    whq = b.add("W_hq", hiddenSize, vocabSize);
    bq = b.add("b_q", 1, vocabSize);
    layout = b.build();
  }

  @Override
  public String cellType() {
    return cell.type();
  }

  @Override
  public int layers() {
    return layerCount;
  }

  @Override
  public float dropout() {
    return dropout;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public int stateSize() {
    return layerCount * layerStateSize();
  }

  private int layerStateSize() {
    return cell.stateVectors() * hidden;
  }

  @Override
  public ParameterLayout layout() {
    return layout;
  }

  @Override
  public void initialize(float[] params, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Tensor t : layout.tensors()) {
      boolean bias = t.rows() == 1;
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        params[i] = cell.initialValue(bias, hidden, random);
      }
    }
  }

  /** With dropout, the masks of {@code dropoutSeed} 0; trainers pass a seed per step instead. */
  @Override
  public double lossAndGradient(float[] params, int[] inputs, int[] targets, int batch, int steps,
                                float[] state, float[] grad) {
    return lossAndGradient(params, inputs, targets, batch, steps, state, grad, 0L);
  }

  @Override
  public double lossAndGradient(float[] params, int[] inputs, int[] targets, int batch, int steps,
                                float[] state, float[] grad, long dropoutSeed) {
    final int rows = steps * batch;
    final int h = hidden;
    Workspace ws = WORKSPACE.get();
    boolean drop = dropout > 0f;
    forwardLayers(params, inputs, batch, steps, state, ws, ws.packed, drop, dropoutSeed);
    LayerWindow top = ws.layer(layerCount - 1);
    float[] logits = ws.logits(rows * vocab);
    double loss = outputLayer(params, top, targets, rows, logits, true);

    // dW_hq += Y^T dO ; db_q += colsum(dO) ; dY = dO W_hq^T
    RowMajor.gemm(true, false, h, vocab, rows, 1f, top.output, top.outputOffset, logits, 0,
        1f, grad, whq.offset());
    Elementwise.addColumnSums(logits, rows, vocab, grad, bq.offset());
    float[] dy = ws.dy(rows * h);
    RowMajor.gemm(false, true, rows, h, vocab, 1f, logits, 0, params, whq.offset(), 0f, dy, 0);

    for (int l = layerCount - 1; l >= 0; l--) {
      LayerWindow w = ws.layer(l);
      LayerTensors p = layerTensors[l];
      int width = cell.gates() * h;
      if (drop) {
        float[] mask = w.mask;
        for (int i = 0; i < rows * h; i++) {
          dy[i] *= mask[i];
        }
      }
      if (steps > 1) {
        ws.packedTransposed.pack(params, p.recurrentWeights.offset(), width, h, true);
      }
      float[] dRecurrent = cell.backward(params, ws.packedTransposed, w, dy);
      // dW_hh += H_{0..T-1}^T dP ; db_hh += colsum(dP) ; db_ih += colsum(dA)
      RowMajor.gemm(true, false, h, width, rows, 1f, w.hs, 0, dRecurrent, 0, 1f, grad,
          p.recurrentWeights.offset());
      if (p.recurrentBias != null) {
        Elementwise.addColumnSums(dRecurrent, rows, width, grad, p.recurrentBias.offset());
      }
      Elementwise.addColumnSums(w.gates, rows, width, grad, p.inputBias.offset());
      if (l == 0) {
        // dW_ih[x] += dA (scatter-add of the row gather)
        for (int r = 0; r < rows; r++) {
          int dst = p.inputWeights.offset() + inputs[r] * width;
          int src = r * width;
          for (int j = 0; j < width; j++) {
            grad[dst + j] += w.gates[src + j];
          }
        }
      } else {
        // dW_ih += Y_{l-1}^T dA ; dY_{l-1} = dA W_ih^T
        LayerWindow below = ws.layer(l - 1);
        RowMajor.gemm(true, false, h, width, rows, 1f, below.output, below.outputOffset,
            w.gates, 0, 1f, grad, p.inputWeights.offset());
        RowMajor.gemm(false, true, rows, h, width, 1f, w.gates, 0, params,
            p.inputWeights.offset(), 0f, dy, 0);
      }
    }
    return loss;
  }

  @Override
  public double loss(float[] params, int[] inputs, int[] targets, int batch, int steps,
                     float[] state) {
    int rows = steps * batch;
    Workspace ws = WORKSPACE.get();
    forwardLayers(params, inputs, batch, steps, state, ws, ws.packed, false, 0L);
    return outputLayer(params, ws.layer(layerCount - 1), targets, rows, ws.logits(rows * vocab),
        false);
  }

  @Override
  public void step(float[] params, int token, float[] state, float[] logits) {
    Workspace ws = WORKSPACE.get();
    forwardLayers(params, new int[] {token}, 1, 1, state, ws, ws.unpacked, false, 0L);
    LayerWindow top = ws.layer(layerCount - 1);
    System.arraycopy(params, bq.offset(), logits, 0, vocab);
    RowMajor.vecMat(hidden, vocab, 1f, top.output, top.outputOffset, params, whq.offset(), 1f,
        logits, 0);
  }

  /**
   * Runs every layer over the window, bottom up, leaving each layer's output (after dropout
   * when {@code drop}) in its {@link LayerWindow#output} and the final states in {@code state}.
   */
  private void forwardLayers(float[] params, int[] inputs, int batch, int steps, float[] state,
                             Workspace ws, PackedMatrix recurrent, boolean drop,
                             long dropoutSeed) {
    final int h = hidden;
    final int rows = steps * batch;
    final int width = cell.gates() * h;
    SplittableRandom masks = drop ? new SplittableRandom(dropoutSeed) : null;
    for (int l = 0; l < layerCount; l++) {
      LayerTensors p = layerTensors[l];
      LayerWindow w = ws.layer(l);
      w.resize(batch, steps, h, cell.gates(), drop);
      float[] gates = w.gates;
      int bias = p.inputBias.offset();
      if (l == 0) {
        for (int r = 0; r < rows; r++) {
          int dst = r * width;
          System.arraycopy(params, p.inputWeights.offset() + inputs[r] * width, gates, dst, width);
          for (int j = 0; j < width; j++) {
            gates[dst + j] += params[bias + j];
          }
        }
      } else {
        LayerWindow below = ws.layer(l - 1);
        for (int r = 0; r < rows; r++) {
          System.arraycopy(params, bias, gates, r * width, width);
        }
        RowMajor.gemm(false, false, rows, width, h, 1f, below.output, below.outputOffset,
            params, p.inputWeights.offset(), 1f, gates, 0);
      }
      recurrent.pack(params, p.recurrentWeights.offset(), h, width, false);
      cell.forward(params, p.recurrentBiasOffset(), recurrent, w, state, l * layerStateSize(),
          stateSize());
      if (drop) {
        fillMask(w.mask, rows * h, masks.split());
        float[] dropped = w.dropped;
        float[] mask = w.mask;
        System.arraycopy(w.hs, batch * h, dropped, 0, rows * h);
        for (int i = 0; i < rows * h; i++) {
          dropped[i] *= mask[i];
        }
        w.output = w.dropped;
        w.outputOffset = 0;
      } else {
        w.output = w.hs;
        w.outputOffset = batch * h;
      }
    }
  }

  /** mask[i] = 0 with probability {@link #dropout}, else 1 / (1 - dropout), for i < count. */
  private void fillMask(float[] mask, int count, SplittableRandom random) {
    long threshold = (long) Math.ceil(dropout * 4294967296.0);   // p * 2^32
    float keep = 1f / (1f - dropout);
    for (int i = 0; i < count; i += 2) {
      long bits = random.nextLong();
      mask[i] = (bits & 0xFFFFFFFFL) >= threshold ? keep : 0f;
      if (i + 1 < count) {
        mask[i + 1] = (bits >>> 32) >= threshold ? keep : 0f;
      }
    }
  }

  /**
   * O = Y W_hq + b_q into {@code logits} for the top layer's output Y; returns the summed
   * cross-entropy and, when {@code writeGradient}, leaves dLoss/dO in {@code logits}.
   */
  private double outputLayer(float[] params, LayerWindow top, int[] targets, int rows,
                             float[] logits, boolean writeGradient) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(params, bq.offset(), logits, r * vocab, vocab);
    }
    RowMajor.gemm(false, false, rows, vocab, hidden, 1f, top.output, top.outputOffset,
        params, whq.offset(), 1f, logits, 0);
    return Softmax.crossEntropy(logits, targets, rows, vocab, writeGradient);
  }
}
