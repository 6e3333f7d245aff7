package dev.rnnlm.model;

import dev.rnnlm.linalg.RowMajor;
import java.util.SplittableRandom;

/**
 * {@code O = Y W_hq + b_q} over the whole vocabulary, or with tied weights {@code O = Y Emb^T + b_q}
 * (the embedding (V, H) is the decoder's weight and W_hq does not exist), then a softmax.
 * Tensors: {@code W_hq (H, V)} (untied only), {@code b_q (V)}.
 *
 * <p>Initialization: in a word model (one with an embedding), as PyTorch's word_language_model:
 * W_hq uniform(-0.1, 0.1), b_q zero; otherwise as the recurrent cell draws its own tensors.
 */
final class FullSoftmax implements OutputLayer {
  /** Per thread: the (rows, V) logits, then their gradient. Grown on demand. */
  private static final ThreadLocal<float[][]> LOGITS = ThreadLocal.withInitial(() -> new float[1][0]);

  private final RecurrentCell cell;
  private final int hidden;
  private final int vocab;
  /** (V, H) when tied: the decoder's weight; null otherwise. */
  private final Tensor embedding;
  /** Whether the model has an embedding: its output layer is initialized as the word model's. */
  private final boolean wordModel;
  /** (H, V), or null with tied weights. */
  private final Tensor whq;
  private final Tensor bq;

  /** Adds {@code W_hq} (unless {@code tiedEmbedding} is given) and {@code b_q} to {@code b}. */
  FullSoftmax(ParameterLayout.Builder b, RecurrentCell cell, int hidden, int vocab,
              boolean wordModel, Tensor tiedEmbedding) {
    this.cell = cell;
    this.hidden = hidden;
    this.vocab = vocab;
    this.wordModel = wordModel;
    this.embedding = tiedEmbedding;
    this.whq = tiedEmbedding != null ? null : b.add("W_hq", hidden, vocab);
    this.bq = b.add("b_q", 1, vocab);
  }

  @Override
  public boolean owns(Tensor t) {
    return t == whq || t == bq;
  }

  @Override
  public long workspaceFloats(long rows) {
    return workspaceFloats(rows, vocab);
  }

  /** The (rows, V) logits. */
  static long workspaceFloats(long rows, int vocab) {
    return rows * vocab;
  }

  @Override
  public double flopsPerRow() {
    return flopsPerRow(hidden, vocab);
  }

  /** (1, H) x (H, V) three times, tied or not. */
  static double flopsPerRow(int hidden, int vocab) {
    return 2.0 * 3 * hidden * (double) vocab;
  }

  @Override
  public float initialValue(Tensor t, SplittableRandom random) {
    if (!wordModel) {
      return cell.initialValue(t.rows() == 1, hidden, random);
    }
    return t == bq ? 0f : StackedModel.wordModelInitialValue(random);
  }

  @Override
  public double crossEntropy(float[] params, float[] y, int yOff, int rows, int[] targets,
                             float[] grad, float[] dy, double[] rowLosses) {
    float[] logits = logits(rows * vocab);
    if (embedding != null) {
      RowMajor.gemm(false, true, rows, vocab, hidden, 1f, y, yOff, params, embedding.offset(),
          0f, logits, 0);
    } else {
      RowMajor.gemm(false, false, rows, vocab, hidden, 1f, y, yOff, params, whq.offset(), 0f,
          logits, 0);
    }
    // O + b_q, its loss and, with grad, dO in place of O and db_q += colsum(dO)
    double loss = Softmax.crossEntropy(logits, rows, vocab, params, bq.offset(), targets, grad,
        grad == null ? 0 : bq.offset(), rowLosses);
    if (grad == null) {
      return loss;
    }
    if (embedding != null) {
      // dEmb += dO^T Y ; dY = dO Emb
      RowMajor.gemm(true, false, vocab, hidden, rows, 1f, logits, 0, y, yOff, 1f, grad,
          embedding.offset());
      RowMajor.gemm(false, false, rows, hidden, vocab, 1f, logits, 0, params, embedding.offset(),
          0f, dy, 0);
    } else {
      // dW_hq += Y^T dO ; dY = dO W_hq^T
      RowMajor.gemm(true, false, hidden, vocab, rows, 1f, y, yOff, logits, 0, 1f, grad,
          whq.offset());
      RowMajor.gemm(false, true, rows, hidden, vocab, 1f, logits, 0, params, whq.offset(), 0f,
          dy, 0);
    }
    return loss;
  }

  @Override
  public void logits(float[] params, float[] y, int yOff, int rows, float[] logits) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(params, bq.offset(), logits, r * vocab, vocab);
    }
    if (embedding != null) {
      RowMajor.gemm(false, true, rows, vocab, hidden, 1f, y, yOff, params, embedding.offset(), 1f,
          logits, 0);
    } else if (rows == 1) {
      RowMajor.vecMat(hidden, vocab, 1f, y, yOff, params, whq.offset(), 1f, logits, 0);
    } else {
      RowMajor.gemm(false, false, rows, vocab, hidden, 1f, y, yOff, params, whq.offset(), 1f,
          logits, 0);
    }
  }

  private static float[] logits(int size) {
    float[][] holder = LOGITS.get();
    if (holder[0].length < size) {
      holder[0] = new float[size];
    }
    return holder[0];
  }
}
