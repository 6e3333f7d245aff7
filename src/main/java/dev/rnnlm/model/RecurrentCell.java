package dev.rnnlm.model;

import dev.rnnlm.linalg.PackedMatrix;
import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The per-layer recurrence of a {@link StackedModel}: what differs between rnn, gru and lstm.
 * A cell with G gates per hidden unit has, per layer, input weights {@code W_ih (in, G*H)},
 * recurrent weights {@code W_hh (H, G*H)}, an input bias {@code b_ih (G*H)} and, when
 * {@link #hasRecurrentBias()}, a recurrent bias {@code b_hh (G*H)}; column block
 * {@code [g*H, (g+1)*H)} belongs to gate g. The model owns everything that is the same for all
 * cells (the tensors, the input projections {@code x W_ih + b_ih} as one row gather or GEMM over
 * all T*B rows, the weight gradients as GEMMs, dropout, the output layer); the cell runs the
 * time loop: one {@link PackedMatrix} product {@code h_{t-1} W_hh} per step plus element-wise
 * gate arithmetic, and its reverse.
 *
 * <p>Cells hold no parameters or buffers: everything is passed in, the scratch memory is
 * {@link LayerWindow#plane}.
 */
interface RecurrentCell extends Serializable {

  /** The name in model files and on the command line: "rnn", "gru", "lstm". */
  String type();

  /** G: gate pre-activations per hidden unit (1 rnn, 3 gru, 4 lstm). */
  int gates();

  /**
   * Vectors of H floats of state per sequence and layer: 1 ({@code h}) or 2 ({@code h} then
   * {@code c}).
   */
  int stateVectors();

  /**
   * Floats per token (row {@code t*B + b} of a window) of a layer of {@code hidden} units kept
   * from forward to backward: the G·H gate values ({@link LayerWindow#gates}), the output
   * ({@link LayerWindow#hs}) and the cell's own {@link LayerWindow#plane}s. Dropout's arrays are
   * the model's. With {@link #workspaceFloatsPerSequence} the memory estimate's share of a layer.
   */
  long workspaceFloatsPerToken(int hidden);

  /**
   * Floats per sequence of a window besides: the carried state h_0 ({@link LayerWindow#hs}) and
   * the cell's planes of one step.
   */
  default long workspaceFloatsPerSequence(int hidden) {
    return hidden;
  }

  /**
   * Floating-point operations per token of a layer's products, forward and backward, for an
   * input of {@code input} floats per token (0: one-hot inputs, read by a row gather instead of a
   * product): {@code x W_ih} and {@code h W_hh}, the gradients of their inputs and of their
   * weights, each (1, in) x (in, G·H), 2 per multiply-add. Element-wise gate arithmetic is not
   * counted.
   */
  default double flopsPerToken(int input, int hidden) {
    return 2.0 * 3 * ((double) input + hidden) * gates() * hidden;
  }

  /** Whether the layer has {@code b_hh} besides {@code b_ih}. */
  boolean hasRecurrentBias();

  /**
   * Names of layer {@code layer}'s tensors in layout order: W_ih, W_hh, b_ih and, when
   * {@link #hasRecurrentBias()}, b_hh.
   */
  String[] tensorNames(int layer);

  /**
   * The next initial value of a weight or bias element ({@code bias}) of a layer of
   * {@code hidden} units or of the output layer, drawn from {@code random}; the model calls it
   * for every element in layout order.
   */
  float initialValue(boolean bias, int hidden, SplittableRandom random);

  /**
   * Runs the layer over the window. On entry {@code w.gates} holds {@code x_t W_ih + b_ih} for
   * every row {@code t*B + b}; the layer's initial state is read from
   * {@code state[b * stateStride + stateOffset ...]} ({@link #stateVectors()} vectors of H) and
   * its final state written back there. Leaves {@code h_0..h_T} in {@code w.hs} and whatever
   * {@link #backward} needs in {@code w.gates} and the cell's {@link LayerWindow#plane}s.
   *
   * @param recurrentBias offset of b_hh in {@code params}, or -1 without one
   * @param whh W_hh (H, G*H), packed by the caller
   */
  void forward(float[] params, int recurrentBias, PackedMatrix whh, LayerWindow w,
               float[] state, int stateOffset, int stateStride);

  /**
   * Backpropagates through the window {@link #forward} just ran, with the initial state taken
   * as constant (truncated BPTT). {@code dy} (T*B, H) is dLoss/dh_{t+1} from above for each
   * row; the cell may overwrite it. Leaves dLoss/d(x_t W_ih + b_ih) in {@code w.gates} and
   * returns the array holding dLoss/d(h_t W_hh + b_hh) as a (T*B, G*H) matrix at offset 0:
   * {@code w.gates} itself when the two gradients are equal (rnn, lstm).
   *
   * @param whhTransposed W_hh^T (G*H, H), packed by the caller when the window has more than
   *     one step
   */
  float[] backward(float[] params, PackedMatrix whhTransposed, LayerWindow w, float[] dy);
}
