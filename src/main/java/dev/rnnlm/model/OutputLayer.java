package dev.rnnlm.model;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The layer from the last recurrent layer's outputs {@code Y (rows, H)} to the next token's
 * distribution over the vocabulary: a full softmax ({@link FullSoftmax}) or an adaptive one
 * ({@link AdaptiveSoftmax}). Its tensors follow the recurrent layers' in the parameter layout;
 * it adds them to the layout builder when it is made.
 */
interface OutputLayer extends Serializable {

  /** Whether {@code t} is one of this layer's tensors (the embedding of a tied layer is not). */
  boolean owns(Tensor t);

  /** The next initial value of an element of {@code t}, one of this layer's tensors. */
  float initialValue(Tensor t, SplittableRandom random);

  /**
   * The summed cross-entropy of the rows of {@code y} (at {@code yOff}, rows H apart) against
   * {@code targets}. With {@code grad} (not null) adds the parameters' gradient of that sum to
   * {@code grad} and writes its gradient with respect to Y into {@code dy} (rows, H), replacing
   * what it held. With {@code rowLosses} (not null) writes each row's cross-entropy into
   * {@code rowLosses[r]}, for r < rows.
   */
  double crossEntropy(float[] params, float[] y, int yOff, int rows, int[] targets, float[] grad,
                      float[] dy, double[] rowLosses);

  /** Floats of the arrays a thread keeps for {@link #crossEntropy} over {@code rows} rows. */
  long workspaceFloats(long rows);

  /**
   * Floating-point operations per row of {@link #crossEntropy}'s products with a gradient: the
   * scores, Y's gradient and the weight's gradient, 2 per multiply-add.
   */
  double flopsPerRow();

  /**
   * The next-token logits of {@code rows} rows of Y (at {@code yOff}, rows H apart) into
   * {@code logits} (rows, V): per row a vector whose softmax is the model's distribution (the
   * log-probabilities, for an adaptive softmax).
   */
  void logits(float[] params, float[] y, int yOff, int rows, float[] logits);
}
