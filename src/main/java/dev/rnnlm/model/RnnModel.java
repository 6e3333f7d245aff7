package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import dev.rnnlm.linalg.RowMajor;
import java.util.SplittableRandom;

/**
 * The book's RNN language model: {@code H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)},
 * {@code O_t = H_t W_hq + b_q}, softmax cross-entropy on the next token. float32 throughout.
 *
 * <p>One-hot inputs are never built: {@code X_t W_xh} is a row gather and its gradient a
 * scatter-add. Only the recurrent products are per step; the output layer and the weight
 * gradients are single GEMMs over all {@code T * B} positions. The recurrent products, a few
 * rows each, go through {@link PackedMatrix}: {@code W_hh} (and {@code W_hh^T} for BPTT) is
 * prepared once per call instead of once per product.
 */
public final class RnnModel implements LanguageModel {
  private static final float INIT_STDDEV = 0.01f;
  /** The cell this model computes: its workspace and FLOPs. */
  private static final RnnCell CELL = new RnnCell();

  /**
   * Per-thread scratch buffers, grown on demand: a task thread runs one window batch at a time,
   * and reusing ~MiB-sized arrays keeps them out of the garbage collector's humongous regions.
   */
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /** Scratch arrays of at least the requested sizes; contents are not cleared. */
  private static final class Workspace {
    float[] hs = new float[0];
    float[] logits = new float[0];
    float[] da = new float[0];
    /** W_hh for the forward products H_{t-1} W_hh. */
    final PackedMatrix whh = new PackedMatrix();
    /** W_hh^T for the backward products dA_{t+1} W_hh^T. */
    final PackedMatrix whhTransposed = new PackedMatrix();

    float[] hs(int size) {
      return hs.length >= size ? hs : (hs = new float[size]);
    }

    float[] logits(int size) {
      return logits.length >= size ? logits : (logits = new float[size]);
    }

    float[] da(int size) {
      return da.length >= size ? da : (da = new float[size]);
    }
  }

  private final int vocab;
  private final int hidden;
  private final ParameterLayout layout;
  private final Tensor wxh;
  private final Tensor whh;
  private final Tensor bh;
  private final Tensor whq;
  private final Tensor bq;

  public RnnModel(int vocabSize, int hiddenSize) {
    if (vocabSize < 1 || hiddenSize < 1) {
      throw new IllegalArgumentException("vocabulary and hidden sizes must be > 0, got "
          + vocabSize + " and " + hiddenSize);
    }
    this.vocab = vocabSize;
    this.hidden = hiddenSize;
    ParameterLayout.Builder b = ParameterLayout.builder();
    wxh = b.add("W_xh", vocabSize, hiddenSize);
    whh = b.add("W_hh", hiddenSize, hiddenSize);
    bh = b.add("b_h", 1, hiddenSize);
    whq = b.add("W_hq", hiddenSize, vocabSize);
    bq = b.add("b_q", 1, vocabSize);
    layout = b.build();
  }

  @Override
  public String cellType() {
    return "rnn";
  }

  @Override
  public Tensor inputTable() {
    return wxh;
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
    return hidden;
  }

  @Override
  public ParameterLayout layout() {
    return layout;
  }

  /**
   * The cell's: H_0..H_T (T+1)·B·H and dA T·B·H; the output layer's logits T·B·V; W_hh packed
   * both ways 2·H·H.
   */
  @Override
  public long workspaceFloats(int batch, int steps) {
    long rows = (long) steps * batch;
    return rows * CELL.workspaceFloatsPerToken(hidden) + batch * CELL.workspaceFloatsPerSequence(hidden)
        + FullSoftmax.workspaceFloats(rows, vocab) + 2L * hidden * hidden;
  }

  /** The layer's recurrent products (the inputs are a row gather) and the output layer's. */
  @Override
  public double flopsPerToken() {
    return CELL.flopsPerToken(0, hidden) + FullSoftmax.flopsPerRow(hidden, vocab);
  }

  /** Weights N(0, 0.01) in layout order from one generator seeded with {@code seed}; biases zero. */
  @Override
  public void initialize(float[] params, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Tensor t : layout.tensors()) {
      boolean bias = t.name().startsWith("b_");
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        params[i] = bias ? 0f : (float) (random.nextGaussian() * INIT_STDDEV);
      }
    }
  }

  @Override
  public double lossAndGradient(float[] params, int[] inputs, int[] targets, int batch, int steps,
                                float[] state, float[] grad) {
    final int n = batch;
    final int h = hidden;
    final int rows = steps * n;
    Workspace ws = WORKSPACE.get();
    float[] hs = ws.hs((steps + 1) * n * h);      // H_0..H_T, (T+1, B, H)
    float[] logits = ws.logits(rows * vocab);     // O then dO, (T*B, V)
    float[] da = ws.da(rows * h);                 // G then dA_1..dA_T, (T, B, H)

    forwardStates(params, inputs, n, steps, state, hs, ws.whh);
    double loss = outputLayer(params, hs, n * h, targets, rows, logits, grad, null);  // and db_q

    // dW_hq += H_{1..T}^T dO ; G = dO W_hq^T
    RowMajor.gemm(true, false, h, vocab, rows, 1f, hs, n * h, logits, 0, 1f, grad, whq.offset());
    RowMajor.gemm(false, true, rows, h, vocab, 1f, logits, 0, params, whq.offset(), 0f, da, 0);

    // t = T..1: dH_t = G_t + dA_{t+1} W_hh^T ; dA_t = dH_t * (1 - H_t^2)
    if (steps > 1) {
      ws.whhTransposed.pack(params, whh.offset(), h, h, true);
    }
    for (int t = steps - 1; t >= 0; t--) {
      int cur = t * n * h;
      if (t < steps - 1) {
        ws.whhTransposed.multiplyAdd(n, da, cur + n * h, da, cur);
      }
      int hOff = (t + 1) * n * h;
      for (int i = 0; i < n * h; i++) {
        float ht = hs[hOff + i];
        da[cur + i] *= 1f - ht * ht;
      }
    }

    // dW_hh += H_{0..T-1}^T dA ; db_h += colsum(dA) ; dW_xh[x] += dA (scatter-add)
    RowMajor.gemm(true, false, h, h, rows, 1f, hs, 0, da, 0, 1f, grad, whh.offset());
    Elementwise.addColumnSums(da, rows, h, grad, bh.offset());
    for (int r = 0; r < rows; r++) {
      int dst = wxh.offset() + inputs[r] * h;
      int src = r * h;
      for (int j = 0; j < h; j++) {
        grad[dst + j] += da[src + j];
      }
    }

    System.arraycopy(hs, steps * n * h, state, 0, n * h);
    return loss;
  }

  @Override
  public double loss(float[] params, int[] inputs, int[] targets, int batch, int steps,
                     float[] state, double[] tokenLosses) {
    int rows = steps * batch;
    Workspace ws = WORKSPACE.get();
    float[] hs = ws.hs((steps + 1) * batch * hidden);    // H_0..H_T, (T+1, B, H)
    float[] logits = ws.logits(rows * vocab);            // (T*B, V)
    forwardStates(params, inputs, batch, steps, state, hs, ws.whh);
    double loss = outputLayer(params, hs, batch * hidden, targets, rows, logits, null, tokenLosses);
    System.arraycopy(hs, steps * batch * hidden, state, 0, batch * hidden);
    return loss;
  }

  @Override
  public void step(float[] params, int token, float[] state, float[] logits) {
    float[] a = new float[hidden];
    System.arraycopy(params, wxh.offset() + token * hidden, a, 0, hidden);
    for (int j = 0; j < hidden; j++) {
      a[j] += params[bh.offset() + j];
    }
    RowMajor.vecMat(hidden, hidden, 1f, state, 0, params, whh.offset(), 1f, a, 0);
    Elementwise.tanhInPlace(a, 0, hidden);
    System.arraycopy(a, 0, state, 0, hidden);
    System.arraycopy(params, bq.offset(), logits, 0, vocab);
    RowMajor.vecMat(hidden, vocab, 1f, state, 0, params, whq.offset(), 1f, logits, 0);
  }

  /** One sequence: {@link #step(float[], int, float[], float[])}; more: one window of 1 step. */
  @Override
  public void step(float[] params, int[] tokens, int batch, float[] states, float[] logits) {
    if (batch == 1) {
      step(params, tokens[0], states, logits);
      return;
    }
    Workspace ws = WORKSPACE.get();
    float[] hs = ws.hs(2 * batch * hidden);    // H_0, H_1: (2, B, H)
    forwardStates(params, tokens, batch, 1, states, hs, ws.whh);
    System.arraycopy(hs, batch * hidden, states, 0, batch * hidden);
    for (int b = 0; b < batch; b++) {
      System.arraycopy(params, bq.offset(), logits, b * vocab, vocab);
    }
    RowMajor.gemm(false, false, batch, vocab, hidden, 1f, hs, batch * hidden, params,
        whq.offset(), 1f, logits, 0);
  }

  /** hs[0] = state; hs[t+1] = tanh(W_xh[x_t] + b_h + hs[t] W_hh) for t = 0..T-1. */
  private void forwardStates(float[] params, int[] inputs, int n, int steps, float[] state,
                             float[] hs, PackedMatrix packedWhh) {
    final int h = hidden;
    packedWhh.pack(params, whh.offset(), h, h, false);
    System.arraycopy(state, 0, hs, 0, n * h);
    for (int t = 0; t < steps; t++) {
      int prev = t * n * h;
      int cur = prev + n * h;
      for (int b = 0; b < n; b++) {
        int row = wxh.offset() + inputs[t * n + b] * h;
        int dst = cur + b * h;
        for (int j = 0; j < h; j++) {
          hs[dst + j] = params[row + j] + params[bh.offset() + j];
        }
      }
      packedWhh.multiplyAdd(n, hs, prev, hs, cur);
      Elementwise.tanhInPlace(hs, cur, cur + n * h);
    }
  }

  /**
   * O = H_{1..T} W_hq + b_q into {@code logits} (H_1 at {@code hs[h1Offset]}); returns the summed cross-entropy against
   * {@code targets} and, with {@code grad}, leaves dLoss/dO = softmax(O) - onehot(y) in
   * {@code logits} and adds its column sums to db_q. With {@code tokenLosses}, each row's
   * cross-entropy is written into it.
   */
  private double outputLayer(float[] params, float[] hs, int h1Offset, int[] targets, int rows,
                             float[] logits, float[] grad, double[] tokenLosses) {
    // H_1..H_T start at h1Offset (after H_0).
    RowMajor.gemm(false, false, rows, vocab, hidden, 1f, hs, h1Offset,
        params, whq.offset(), 0f, logits, 0);
    return Softmax.crossEntropy(logits, rows, vocab, params, bq.offset(), targets, grad,
        grad == null ? 0 : bq.offset(), tokenLosses);
  }
}
