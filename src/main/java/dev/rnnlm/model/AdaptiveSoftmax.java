package dev.rnnlm.model;

import dev.rnnlm.linalg.RowMajor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An adaptive softmax (Grave et al. 2017), computed as PyTorch's
 * {@code nn.AdaptiveLogSoftmaxWithLoss(H, V, cutoffs, div_value=4.0, head_bias=False)}: ids below
 * the first cutoff c_0 (the most frequent tokens: the vocabulary is ordered by frequency) form
 * the head's shortlist; the ids in {@code [c_i, c_{i+1})} (with {@code c_K = V}) form cluster i.
 * The head scores the shortlist and one entry per cluster; cluster i scores its own ids from a
 * projection of Y to {@code d_i = H / 4^(i+1)} units:
 * <pre>
 *   head(y)   = y W_head                           (c_0 + K)
 *   tail_i(y) = (y P_i) W_i                          (c_{i+1} - c_i)
 *   log p(w)  = logsoftmax(head(y))[w]                             for w < c_0
 *             = logsoftmax(head(y))[c_0 + i] + logsoftmax(tail_i(y))[w - c_i]   in cluster i
 * </pre>
 * Training computes a cluster only for the rows whose target is in it, so a step costs about
 * {@code H (c_0 + K)} per row plus the clusters' share, instead of {@code H V}.
 *
 * <p>Tensors, in the layout's (in, out) orientation (the transposes of torch's weights), no
 * biases: {@code W_head (H, c_0 + K)}, then per cluster {@code W_tail{i}_proj (H, d_i)} and
 * {@code W_tail{i}_out (d_i, c_{i+1} - c_i)}. Initialized as torch's nn.Linear: uniform(-1/sqrt(in),
 * 1/sqrt(in)).
 *
 * <p>With tied weights (the embedding (V, H) is the output layer's weight, as in the full softmax)
 * every token's output vector is its embedding row: the head scores the shortlist with
 * {@code Emb[0, c_0)} and its clusters with its own {@code W_head_clusters (H, K)}, and cluster i
 * scores with {@code Emb[c_i, c_{i+1})} straight from Y (no projection). This is torch's module
 * with {@code div_value=1} and identity projections, which is how the torch export writes it.
 */
final class AdaptiveSoftmax implements OutputLayer {
  /** Torch's default: cluster i projects to H / 4^(i+1) units. */
  static final int DIV_VALUE = 4;

  /** A thread's buffers, grown on demand; contents are not cleared. */
  private static final class Workspace {
    float[] head = new float[0];
    int[] headTargets = new int[0];
    int[] rows = new int[0];
    int[] tailTargets = new int[0];
    float[] x = new float[0];
    float[] projected = new float[0];
    float[] tail = new float[0];
    float[] dProjected = new float[0];
    float[] dx = new float[0];
    /** Per gathered row, a cluster's cross-entropy; only when row losses are asked for. */
    double[] tailLosses = new double[0];

    double[] tailLosses(int rowCount) {
      return tailLosses.length >= rowCount ? tailLosses : (tailLosses = new double[rowCount]);
    }

    void ensure(int rowCount, int headWidth, int hidden, int maxProjection, int maxCluster) {
      if (head.length < rowCount * headWidth) {
        head = new float[rowCount * headWidth];
      }
      if (rows.length < rowCount) {
        headTargets = new int[rowCount];
        rows = new int[rowCount];
        tailTargets = new int[rowCount];
      }
      if (x.length < rowCount * hidden) {
        x = new float[rowCount * hidden];
        dx = new float[rowCount * hidden];
      }
      if (projected.length < rowCount * maxProjection) {
        projected = new float[rowCount * maxProjection];
        dProjected = new float[rowCount * maxProjection];
      }
      if (tail.length < rowCount * maxCluster) {
        tail = new float[rowCount * maxCluster];
      }
    }
  }

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private final int hidden;
  private final int vocab;
  /** c_0, c_1, ..., c_{K-1}, V: cluster i holds the ids in [bounds[i], bounds[i + 1]). */
  private final int[] bounds;
  private final int clusters;
  private final int headWidth;
  /** (V, H) when tied; null otherwise. */
  private final Tensor embedding;
  /** Untied: (H, c_0 + K). Tied: (H, K), the cluster columns only. */
  private final Tensor head;
  /** Untied: per cluster (H, d_i) and (d_i, size_i); null when tied. */
  private final Tensor[] projections;
  private final Tensor[] outputs;
  private final int maxProjection;
  private final int maxCluster;

  /**
   * Adds the layer's tensors to {@code b}.
   *
   * @param cutoffs c_0 < c_1 < ... < c_{K-1}, each in [1, V - 1]
   * @param tiedEmbedding the (V, H) embedding to score with, or null
   * @throws IllegalArgumentException for cutoffs out of order or range, or a projection of 0 units
   */
  AdaptiveSoftmax(ParameterLayout.Builder b, int hidden, int vocab, List<Integer> cutoffs,
                  Tensor tiedEmbedding) {
    checkCutoffs(cutoffs, vocab, hidden, tiedEmbedding != null);
    this.hidden = hidden;
    this.vocab = vocab;
    this.clusters = cutoffs.size();
    this.bounds = new int[clusters + 1];
    for (int i = 0; i < clusters; i++) {
      bounds[i] = cutoffs.get(i);
    }
    bounds[clusters] = vocab;
    this.headWidth = bounds[0] + clusters;
    this.embedding = tiedEmbedding;
    int widest = 0;
    int deepest = 0;
    if (tiedEmbedding != null) {
      head = b.add("W_head_clusters", hidden, clusters);
      projections = null;
      outputs = null;
    } else {
      head = b.add("W_head", hidden, headWidth);
      projections = new Tensor[clusters];
      outputs = new Tensor[clusters];
      for (int i = 0; i < clusters; i++) {
        int d = projection(hidden, i);
        projections[i] = b.add("W_tail" + i + "_proj", hidden, d);
        outputs[i] = b.add("W_tail" + i + "_out", d, bounds[i + 1] - bounds[i]);
        deepest = Math.max(deepest, d);
      }
    }
    for (int i = 0; i < clusters; i++) {
      widest = Math.max(widest, bounds[i + 1] - bounds[i]);
    }
    this.maxProjection = deepest;
    this.maxCluster = widest;
  }

  /** Cluster i's projection: H / 4^(i+1) units, as torch's {@code in_features // div_value ** (i+1)}. */
  static int projection(int hidden, int cluster) {
    long d = hidden;
    for (int i = 0; i <= cluster; i++) {
      d /= DIV_VALUE;
    }
    return (int) d;
  }

  /**
   * Rejects cutoffs that are not increasing in [1, V - 1], and (untied) a cluster whose projection
   * would have no unit.
   */
  static void checkCutoffs(List<Integer> cutoffs, int vocab, int hidden, boolean tied) {
    if (cutoffs.isEmpty()) {
      throw new IllegalArgumentException("an adaptive softmax needs at least one cutoff");
    }
    int previous = 0;
    for (int c : cutoffs) {
      if (c <= previous || c >= vocab) {
        throw new IllegalArgumentException("adaptive softmax cutoffs must increase and lie in [1, "
            + (vocab - 1) + "] (the vocabulary has " + vocab + " tokens), got " + cutoffs);
      }
      previous = c;
    }
    if (!tied && projection(hidden, cutoffs.size() - 1) < 1) {
      throw new IllegalArgumentException("an adaptive softmax of " + cutoffs.size()
          + " clusters projects the last to " + hidden + " / " + DIV_VALUE + "^" + cutoffs.size()
          + " units, below 1: use fewer cutoffs or more hidden units");
    }
  }

  @Override
  public boolean owns(Tensor t) {
    if (t == head) {
      return true;
    }
    for (int i = 0; projections != null && i < clusters; i++) {
      if (t == projections[i] || t == outputs[i]) {
        return true;
      }
    }
    return false;
  }

  /** {@link Workspace}: the head's logits, the gathered rows and their gradient, a cluster's. */
  @Override
  public long workspaceFloats(long rows) {
    return rows * (headWidth + 2L * hidden + 2L * maxProjection + maxCluster + 3);
  }

  /**
   * The head's products only, (1, H) x (H, c_0 + K) three times: the rows a cluster scores depend
   * on the text.
   */
  @Override
  public double flopsPerRow() {
    return 2.0 * 3 * hidden * (double) headWidth;
  }

  @Override
  public float initialValue(Tensor t, SplittableRandom random) {
    return (float) ((2 * random.nextDouble() - 1) / Math.sqrt(t.rows()));
  }

  @Override
  public double crossEntropy(float[] params, float[] y, int yOff, int rows, int[] targets,
                             float[] grad, float[] dy, double[] rowLosses) {
    Workspace ws = WORKSPACE.get();
    ws.ensure(rows, headWidth, hidden, maxProjection, maxCluster);
    float[] headLogits = ws.head;
    int shortlist = bounds[0];
    for (int r = 0; r < rows; r++) {
      int t = targets[r];
      ws.headTargets[r] = t < shortlist ? t : shortlist + cluster(t);
    }
    headForward(params, y, yOff, rows, headLogits);
    double loss = Softmax.crossEntropy(headLogits, rows, headWidth, ws.headTargets, grad != null,
        rowLosses);
    if (grad != null) {
      headBackward(params, y, yOff, rows, headLogits, grad, dy);
    }
    for (int i = 0; i < clusters; i++) {
      loss += tailCrossEntropy(i, params, y, yOff, rows, targets, grad, dy, rowLosses, ws);
    }
    return loss;
  }

  /** The cluster of an id at or above c_0. */
  private int cluster(int id) {
    int i = 0;
    while (id >= bounds[i + 1]) {
      i++;
    }
    return i;
  }

  /** head = Y W_head (untied); tied: [Y Emb[0, c_0)^T | Y W_head_clusters]. (rows, c_0 + K) */
  private void headForward(float[] params, float[] y, int yOff, int rows, float[] out) {
    int shortlist = bounds[0];
    if (embedding == null) {
      RowMajor.gemm(false, false, rows, headWidth, hidden, 1f, y, yOff, params, head.offset(), 0f,
          out, 0);
      return;
    }
    RowMajor.gemm(false, true, rows, shortlist, hidden, 1f, y, yOff, hidden, params,
        embedding.offset(), hidden, 0f, out, 0, headWidth);
    RowMajor.gemm(false, false, rows, clusters, hidden, 1f, y, yOff, hidden, params,
        head.offset(), clusters, 0f, out, shortlist, headWidth);
  }

  /** From dHead (rows, c_0 + K): the head's weight gradients, and dY = dHead W^T into dy. */
  private void headBackward(float[] params, float[] y, int yOff, int rows, float[] dHead,
                            float[] grad, float[] dy) {
    if (embedding == null) {
      // dW_head += Y^T dHead ; dY = dHead W_head^T
      RowMajor.gemm(true, false, hidden, headWidth, rows, 1f, y, yOff, dHead, 0, 1f, grad,
          head.offset());
      RowMajor.gemm(false, true, rows, hidden, headWidth, 1f, dHead, 0, params, head.offset(), 0f,
          dy, 0);
      return;
    }
    int shortlist = bounds[0];
    // dEmb[0, c_0) += dHead[:, :c_0]^T Y ; dW_head_clusters += Y^T dHead[:, c_0:]
    RowMajor.gemm(true, false, shortlist, hidden, rows, 1f, dHead, 0, headWidth, y, yOff, hidden,
        1f, grad, embedding.offset(), hidden);
    RowMajor.gemm(true, false, hidden, clusters, rows, 1f, y, yOff, hidden, dHead, shortlist,
        headWidth, 1f, grad, head.offset(), clusters);
    // dY = dHead[:, :c_0] Emb[0, c_0) + dHead[:, c_0:] W_head_clusters^T
    RowMajor.gemm(false, false, rows, hidden, shortlist, 1f, dHead, 0, headWidth, params,
        embedding.offset(), hidden, 0f, dy, 0, hidden);
    RowMajor.gemm(false, true, rows, hidden, clusters, 1f, dHead, shortlist, headWidth, params,
        head.offset(), clusters, 1f, dy, 0, hidden);
  }

  /**
   * Cluster i's share: the rows whose target is in it, gathered, scored by the cluster and, with
   * {@code grad}, back-propagated into the cluster's weights and added into those rows of dy.
   * With {@code rowLosses}, each gathered row's cluster cross-entropy is added to its entry.
   */
  private double tailCrossEntropy(int i, float[] params, float[] y, int yOff, int rows,
                                  int[] targets, float[] grad, float[] dy, double[] rowLosses,
                                  Workspace ws) {
    int lo = bounds[i];
    int hi = bounds[i + 1];
    int size = hi - lo;
    int n = 0;
    for (int r = 0; r < rows; r++) {
      int t = targets[r];
      if (t >= lo && t < hi) {
        ws.rows[n] = r;
        ws.tailTargets[n] = t - lo;
        n++;
      }
    }
    if (n == 0) {
      return 0;
    }
    float[] x = ws.x;   // (n, H): the rows of Y
    for (int k = 0; k < n; k++) {
      System.arraycopy(y, yOff + ws.rows[k] * hidden, x, k * hidden, hidden);
    }
    float[] logits = ws.tail;   // (n, size)
    int d = embedding == null ? projections[i].cols() : 0;
    if (embedding == null) {
      // P = X P_i (n, d) ; L = P W_i
      RowMajor.gemm(false, false, n, d, hidden, 1f, x, 0, params, projections[i].offset(), 0f,
          ws.projected, 0);
      RowMajor.gemm(false, false, n, size, d, 1f, ws.projected, 0, params, outputs[i].offset(), 0f,
          logits, 0);
    } else {
      // L = X Emb[lo, hi)^T
      RowMajor.gemm(false, true, n, size, hidden, 1f, x, 0, params,
          embedding.offset() + lo * hidden, 0f, logits, 0);
    }
    double[] tailLosses = rowLosses == null ? null : ws.tailLosses(n);
    double loss = Softmax.crossEntropy(logits, n, size, ws.tailTargets, grad != null, tailLosses);
    if (tailLosses != null) {
      for (int k = 0; k < n; k++) {
        rowLosses[ws.rows[k]] += tailLosses[k];
      }
    }
    if (grad == null) {
      return loss;
    }
    float[] dx = ws.dx;
    if (embedding == null) {
      // dW_i += P^T dL ; dP = dL W_i^T ; dP_i += X^T dP ; dX = dP P_i^T
      RowMajor.gemm(true, false, d, size, n, 1f, ws.projected, 0, logits, 0, 1f, grad,
          outputs[i].offset());
      RowMajor.gemm(false, true, n, d, size, 1f, logits, 0, params, outputs[i].offset(), 0f,
          ws.dProjected, 0);
      RowMajor.gemm(true, false, hidden, d, n, 1f, x, 0, ws.dProjected, 0, 1f, grad,
          projections[i].offset());
      RowMajor.gemm(false, true, n, hidden, d, 1f, ws.dProjected, 0, params,
          projections[i].offset(), 0f, dx, 0);
    } else {
      // dEmb[lo, hi) += dL^T X ; dX = dL Emb[lo, hi)
      RowMajor.gemm(true, false, size, hidden, n, 1f, logits, 0, x, 0, 1f, grad,
          embedding.offset() + lo * hidden);
      RowMajor.gemm(false, false, n, hidden, size, 1f, logits, 0, params,
          embedding.offset() + lo * hidden, 0f, dx, 0);
    }
    for (int k = 0; k < n; k++) {
      int dst = ws.rows[k] * hidden;
      int src = k * hidden;
      for (int j = 0; j < hidden; j++) {
        dy[dst + j] += dx[src + j];
      }
    }
    return loss;
  }

  @Override
  public void logits(float[] params, float[] y, int yOff, int rows, float[] logits) {
    for (int r = 0; r < rows; r++) {
      rowLogits(params, y, yOff + r * hidden, logits, r * vocab);
    }
  }

  /** One row's log-probabilities into {@code logits[out, out + V)}. */
  private void rowLogits(float[] params, float[] y, int yOff, float[] logits, int out) {
    Workspace ws = WORKSPACE.get();
    ws.ensure(1, headWidth, hidden, maxProjection, maxCluster);
    headForward(params, y, yOff, 1, ws.head);
    int shortlist = bounds[0];
    // log p over the head: the shortlist's ids directly, the clusters' entries kept for the tails
    Softmax.logSoftmax(ws.head, 0, headWidth, 0f, ws.head, 0);
    System.arraycopy(ws.head, 0, logits, out, shortlist);
    for (int i = 0; i < clusters; i++) {
      int lo = bounds[i];
      int size = bounds[i + 1] - lo;
      if (embedding == null) {
        int d = projections[i].cols();
        RowMajor.gemm(false, false, 1, d, hidden, 1f, y, yOff, params, projections[i].offset(), 0f,
            ws.projected, 0);
        RowMajor.gemm(false, false, 1, size, d, 1f, ws.projected, 0, params, outputs[i].offset(),
            0f, ws.tail, 0);
      } else {
        RowMajor.gemm(false, true, 1, size, hidden, 1f, y, yOff, params,
            embedding.offset() + lo * hidden, 0f, ws.tail, 0);
      }
      Softmax.logSoftmax(ws.tail, 0, size, ws.head[shortlist + i], logits, out + lo);
    }
  }
}
