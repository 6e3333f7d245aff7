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
 *   h^0_t = cell(onehot(x_t) W_ih^0 + b_ih^0, h^0_{t-1})                 (row gather)
 *   y^l_t = drop(h^l_t),  h^l_t = cell(y^{l-1}_t W_ih^l + b_ih^l, h^l_{t-1})
 *   O_t = y^{L-1}_t W_hq + b_q,  loss = sum of softmax cross-entropy
 * </pre>
 * With an embedding of size E (PyTorch's word_language_model RNNModel), layer 0 reads
 * {@code y^{-1}_t = drop(Emb[x_t])} (a row gather of the (V, E) table) through a dense
 * {@code W_ih^0 (E, G*H)}; with tied weights (E = H) the output layer is
 * {@code O_t = y^{L-1}_t Emb^T + b_q}: the embedding is the decoder's weight (Press and Wolf 2017,
 * Inan et al. 2017) and W_hq does not exist.
 * {@code drop} multiplies by an inverted-dropout mask (0 with probability p, else 1/(1-p)) in
 * {@link #lossAndGradient}, and is the identity in {@link #loss} and {@link #step}. It acts on
 * what flows up (to the next layer and to the output layer), never on the recurrent path; unlike
 * torch's nn.LSTM(dropout=p) it also acts on the last layer's output.
 *
 * <p><b>Parameter layout</b> (row-major, in this order): with an embedding, {@code embedding
 * (V, E)} first (torch's {@code encoder.weight}); per layer l the cell's tensors
 * ({@link RecurrentCell#tensorNames}) {@code W_ih (in, G*H)} with in = V for layer 0 and H
 * above, {@code W_hh (H, G*H)}, {@code b_ih (G*H)} and, for gru and lstm, {@code b_hh (G*H)};
 * then the output layer's: a full softmax's {@code W_hq (H, V)} (not with tied weights) and
 * {@code b_q (V)} ({@link FullSoftmax}), or an adaptive softmax's ({@link AdaptiveSoftmax}). The
 * weights are the transposes of torch's {@code weight_ih_l{l} (G*H, in)} and
 * {@code weight_hh_l{l} (G*H, H)}, the full output layer torch's {@code nn.Linear(H, V)} with
 * {@code weight = W_hq^T}, {@code bias = b_q}.
 *
 * <p><b>State layout</b> per sequence ({@link #stateSize()} floats): layer 0's state, then layer
 * 1's, ...; each is {@code h} (H floats) for rnn and gru, {@code h} then {@code c} (2H) for lstm.
 *
 * <p><b>Initialization</b>: one {@code SplittableRandom(seed)} draws every element in layout
 * order through {@link RecurrentCell#initialValue}: gru and lstm as torch (all weights and
 * biases, output layer included, uniform(-1/sqrt(H), 1/sqrt(H))); rnn as {@link RnnModel}
 * (weights N(0, 0.01), biases 0), so a one-layer rnn stack starts where RnnModel starts. With
 * an embedding, as PyTorch's word_language_model: the embedding and W_hq uniform(-0.1, 0.1),
 * b_q zero, the recurrent layers as their cell. An adaptive softmax's weights start as torch's
 * nn.Linear does (uniform(-1/sqrt(in), 1/sqrt(in))).
 *
 * <p><b>Dropout masks</b>: layer l's mask over its (T*B, H) outputs, element by element in
 * row-major order, keeps an element when the next 32 bits (low half, then high half of each
 * {@code nextLong()}) of the l-th {@code split()} of {@code new SplittableRandom(dropoutSeed)}
 * are at least p * 2^32: a function of the seed and the window's shape only. With an embedding,
 * its output's (T*B, E) mask is drawn the same way from the first {@code split()}, and layer l's
 * from the (l+1)-th.
 *
 * <p>Computation, per layer: the input projections of all T*B rows at once (a row gather for
 * layer 0, one GEMM above), then the cell's time loop with one {@link PackedMatrix} product per
 * step ({@code W_hh} packed once per call, {@code W_hh^T} once for BPTT), and the weight
 * gradients as one GEMM each over all rows. Scratch arrays are per thread.
 */
public final class StackedModel implements LanguageModel {

  /** PyTorch's word_language_model: the embedding and the decoder's weight uniform(-0.1, 0.1). */
  private static final double WORD_MODEL_INIT_RANGE = 0.1;

  /** The next initial value of a word model's embedding or decoder weight. */
  static float wordModelInitialValue(SplittableRandom random) {
    return (float) ((2 * random.nextDouble() - 1) * WORD_MODEL_INIT_RANGE);
  }

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /** A thread's buffers, grown on demand; contents are not cleared. */
  private static final class Workspace {
    final List<LayerWindow> layers = new ArrayList<>();
    float[] dy = new float[0];
    /** (T*B, E): the embedded inputs after dropout; then dLoss/d(embedded) in backward. */
    float[] embedded = new float[0];
    /** (T*B, E): the embedding output's inverted-dropout mask. */
    float[] embeddingMask = new float[0];
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

    float[] dy(int size) {
      return dy.length >= size ? dy : (dy = new float[size]);
    }

    float[] embedded(int size) {
      return embedded.length >= size ? embedded : (embedded = new float[size]);
    }

    float[] embeddingMask(int size) {
      return embeddingMask.length >= size ? embeddingMask : (embeddingMask = new float[size]);
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
  /** E, or 0: one-hot inputs straight into layer 0. */
  private final int embeddingSize;
  private final boolean tiedWeights;
  private final ParameterLayout layout;
  /** (V, E), or null without an embedding. */
  private final Tensor embedding;
  private final LayerTensors[] layerTensors;
  /** Y of the last layer to the next token's distribution: full or adaptive softmax. */
  private final OutputLayer output;
  /** The adaptive softmax's cutoffs; empty for a full softmax. */
  private final List<Integer> cutoffs;

  /** Through {@link LanguageModels#create}, which validates the arguments. */
  StackedModel(RecurrentCell cell, int vocabSize, int hiddenSize, int layers, float dropout) {
    this(cell, vocabSize, hiddenSize, layers, dropout, 0, false, List.of());
  }

  /** Through {@link LanguageModels#create}, which validates the arguments. */
  StackedModel(RecurrentCell cell, int vocabSize, int hiddenSize, int layers, float dropout,
               int embeddingSize, boolean tiedWeights, List<Integer> cutoffs) {
    if (vocabSize < 1 || hiddenSize < 1 || layers < 1) {
      throw new IllegalArgumentException("vocabulary, hidden and layer counts must be > 0, got "
          + vocabSize + ", " + hiddenSize + " and " + layers);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (embeddingSize < 0) {
      throw new IllegalArgumentException("the embedding size must be >= 0, got " + embeddingSize);
    }
    if (tiedWeights && embeddingSize != hiddenSize) {
      throw new IllegalArgumentException("tied weights need the embedding size equal to the last"
          + " layer's hidden size, got embedding " + embeddingSize + " and hidden " + hiddenSize);
    }
    this.cell = cell;
    this.vocab = vocabSize;
    this.hidden = hiddenSize;
    this.layerCount = layers;
    this.dropout = dropout;
    this.embeddingSize = embeddingSize;
    this.tiedWeights = tiedWeights;
    int width = cell.gates() * hiddenSize;
    ParameterLayout.Builder b = ParameterLayout.builder();
    embedding = embeddingSize > 0 ? b.add("embedding", vocabSize, embeddingSize) : null;
    layerTensors = new LayerTensors[layers];
    for (int l = 0; l < layers; l++) {
      String[] names = cell.tensorNames(l);
      int in = l > 0 ? hiddenSize : embeddingSize > 0 ? embeddingSize : vocabSize;
      Tensor wih = b.add(names[0], in, width);
      Tensor whh = b.add(names[1], hiddenSize, width);
      Tensor bih = b.add(names[2], 1, width);
      Tensor bhh = cell.hasRecurrentBias() ? b.add(names[3], 1, width) : null;
      layerTensors[l] = new LayerTensors(wih, whh, bih, bhh);
    }
    Tensor decoderWeight = tiedWeights ? embedding : null;
    this.cutoffs = List.copyOf(cutoffs);
    output = cutoffs.isEmpty()
        ? new FullSoftmax(b, cell, hiddenSize, vocabSize, embeddingSize > 0, decoderWeight)
        : new AdaptiveSoftmax(b, hiddenSize, vocabSize, cutoffs, decoderWeight);
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
  public int embeddingSize() {
    return embeddingSize;
  }

  @Override
  public boolean tiedWeights() {
    return tiedWeights;
  }

  @Override
  public Tensor inputTable() {
    if (embedding != null) {
      return tiedWeights ? null : embedding;
    }
    return layerTensors[0].inputWeights();
  }

  @Override
  public List<Integer> adaptiveCutoffs() {
    return cutoffs;
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

  /**
   * Per layer its {@link LayerWindow} (the cell's share, the dropout mask and output), then dY,
   * the embedded inputs and their mask, W_hh packed both ways, and the output layer's.
   */
  @Override
  public long workspaceFloats(int batch, int steps) {
    long rows = (long) steps * batch;
    long perLayer = rows * cell.workspaceFloatsPerToken(hidden)
        + batch * cell.workspaceFloatsPerSequence(hidden) + (dropout > 0 ? 2 * rows * hidden : 0);
    return layerCount * perLayer + rows * hidden + 2 * rows * embeddingSize
        + 2L * hidden * cell.gates() * hidden + output.workspaceFloats(rows);
  }

  /** Layer 0 reads the embedding (or gathers one-hot rows), the layers above the one below. */
  @Override
  public double flopsPerToken() {
    double layers = cell.flopsPerToken(embeddingSize, hidden)
        + (layerCount - 1) * cell.flopsPerToken(hidden, hidden);
    return layers + output.flopsPerRow();
  }

  @Override
  public void initialize(float[] params, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Tensor t : layout.tensors()) {
      boolean bias = t.rows() == 1;
      boolean outputLayer = output.owns(t);
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        if (outputLayer) {
          params[i] = output.initialValue(t, random);
        } else if (t == embedding) {
          params[i] = wordModelInitialValue(random);
        } else {
          params[i] = cell.initialValue(bias, hidden, random);
        }
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
    float[] dy = ws.dy(rows * h);
    double loss = output.crossEntropy(params, top.output, top.outputOffset, rows, targets, grad,
        dy, null);

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
      if (l == 0 && embedding == null) {
        // dW_ih[x] += dA (scatter-add of the row gather)
        scatterAddRows(w.gates, inputs, rows, width, grad, p.inputWeights.offset());
      } else if (l == 0) {
        // dW_ih += X^T dA ; dX = dA W_ih^T, through the dropout mask ; dEmb[x] += dX
        int e = embeddingSize;
        float[] embedded = ws.embedded;
        RowMajor.gemm(true, false, e, width, rows, 1f, embedded, 0, w.gates, 0, 1f, grad,
            p.inputWeights.offset());
        RowMajor.gemm(false, true, rows, e, width, 1f, w.gates, 0, params,
            p.inputWeights.offset(), 0f, embedded, 0);
        if (drop) {
          float[] mask = ws.embeddingMask;
          for (int i = 0; i < rows * e; i++) {
            embedded[i] *= mask[i];
          }
        }
        scatterAddRows(embedded, inputs, rows, e, grad, embedding.offset());
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
                     float[] state, double[] tokenLosses) {
    int rows = steps * batch;
    Workspace ws = WORKSPACE.get();
    forwardLayers(params, inputs, batch, steps, state, ws, ws.packed, false, 0L);
    LayerWindow top = ws.layer(layerCount - 1);
    return output.crossEntropy(params, top.output, top.outputOffset, rows, targets, null, null,
        tokenLosses);
  }

  @Override
  public void step(float[] params, int token, float[] state, float[] logits) {
    step(params, new int[] {token}, 1, state, logits);
  }

  /** One sequence: W_hh unpacked (one product is not worth packing); more: packed once. */
  @Override
  public void step(float[] params, int[] tokens, int batch, float[] states, float[] logits) {
    Workspace ws = WORKSPACE.get();
    forwardLayers(params, tokens, batch, 1, states, ws, batch == 1 ? ws.unpacked : ws.packed,
        false, 0L);
    LayerWindow top = ws.layer(layerCount - 1);
    output.logits(params, top.output, top.outputOffset, batch, logits);
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
    if (embedding != null) {
      embed(params, inputs, rows, ws, drop ? masks.split() : null);
    }
    for (int l = 0; l < layerCount; l++) {
      LayerTensors p = layerTensors[l];
      LayerWindow w = ws.layer(l);
      w.resize(batch, steps, h, cell.gates(), drop);
      float[] gates = w.gates;
      int bias = p.inputBias.offset();
      if (l == 0 && embedding != null) {
        for (int r = 0; r < rows; r++) {
          System.arraycopy(params, bias, gates, r * width, width);
        }
        RowMajor.gemm(false, false, rows, width, embeddingSize, 1f, ws.embedded, 0,
            params, p.inputWeights.offset(), 1f, gates, 0);
      } else if (l == 0) {
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

  /** {@code grad[x_r] += src[r]} for each row r: the gradient of a row gather, rows of {@code width}. */
  private static void scatterAddRows(float[] src, int[] inputs, int rows, int width, float[] grad,
                                     int tableOffset) {
    for (int r = 0; r < rows; r++) {
      int dst = tableOffset + inputs[r] * width;
      int from = r * width;
      for (int j = 0; j < width; j++) {
        grad[dst + j] += src[from + j];
      }
    }
  }

  /**
   * X = drop(Emb[x]) into {@link Workspace#embedded} (T*B, E): a row gather, then the mask drawn
   * from {@code masks} when it is not null.
   */
  private void embed(float[] params, int[] inputs, int rows, Workspace ws, SplittableRandom masks) {
    int e = embeddingSize;
    float[] embedded = ws.embedded(rows * e);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(params, embedding.offset() + inputs[r] * e, embedded, r * e, e);
    }
    if (masks != null) {
      float[] mask = ws.embeddingMask(rows * e);
      fillMask(mask, rows * e, masks);
      for (int i = 0; i < rows * e; i++) {
        embedded[i] *= mask[i];
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
}
