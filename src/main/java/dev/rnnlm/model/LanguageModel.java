package dev.rnnlm.model;

import java.io.Serializable;

/**
 * A recurrent language model over a vocabulary of {@code vocabSize()} ids: its parameter
 * layout, forward/backward over a batch of windows, and single steps for generation.
 * Parameters are always one flat {@code float[]} laid out by {@link #layout()}.
 *
 * <p>Token windows are time-major: {@code inputs[t * batch + b]} is the input of sequence
 * {@code b} at step {@code t}, and {@code targets} is laid out the same way. The recurrent
 * state of a batch is {@code (batch, stateSize())} row-major; it is read as the initial state
 * and overwritten with the final one. Gradients never flow into the initial state (truncated
 * BPTT: the carried state is detached).
 */
public interface LanguageModel extends Serializable {

  /** Short name stored in model files, e.g. "rnn". */
  String cellType();

  /** Recurrent layers stacked on each other; the output layer reads the last one. */
  default int layers() {
    return 1;
  }

  /**
   * Probability of the inverted dropout applied during training to each layer's output (0: none).
   * Never applied by {@link #loss} or {@link #step}.
   */
  default float dropout() {
    return 0f;
  }

  /** Size E of the input embedding table (V, E); 0: one-hot inputs straight into layer 0. */
  default int embeddingSize() {
    return 0;
  }

  /** Whether the output layer's weight is the embedding table (needs E equal to the hidden size). */
  default boolean tiedWeights() {
    return false;
  }

  /**
   * The cutoffs of an adaptive softmax output layer ({@link AdaptiveSoftmax}); empty for a full
   * softmax over the vocabulary.
   */
  default java.util.List<Integer> adaptiveCutoffs() {
    return java.util.List.of();
  }

  /**
   * The (V, width) table that the inputs are read from by row gathers and whose gradient a window
   * therefore adds to only in its input tokens' rows: the embedding, or the one-hot first layer's
   * input weight. Null when other rows get gradient too (tied weights: the output layer writes
   * every embedding row).
   */
  default Tensor inputTable() {
    return null;
  }

  int vocabSize();

  int hiddenSize();

  /** Floats of recurrent state per sequence. */
  int stateSize();

  ParameterLayout layout();

  /**
   * Floats of the arrays a thread keeps to compute {@link #lossAndGradient} over a window of
   * {@code steps} steps of {@code batch} sequences (the memory estimate's workspace per task).
   */
  long workspaceFloats(int batch, int steps);

  /**
   * Floating-point operations per token of {@link #lossAndGradient}'s products, forward and
   * backward: every layer's ({@link RecurrentCell#flopsPerToken}) and the output layer's.
   * Element-wise work and row gathers are not counted.
   */
  double flopsPerToken();

  /** Fills {@code params} with the initial values drawn from {@code seed}. */
  void initialize(float[] params, long seed);

  /**
   * Forward and backward over {@code steps} steps of {@code batch} sequences. Returns the summed
   * cross-entropy (nats) over all {@code steps * batch} targets, <em>adds</em> the gradient of
   * that sum to {@code grad}, and leaves the final state in {@code state}.
   */
  double lossAndGradient(float[] params, int[] inputs, int[] targets, int batch, int steps,
                         float[] state, float[] grad);

  /**
   * {@link #lossAndGradient(float[], int[], int[], int, int, float[], float[])} with the dropout
   * masks drawn from {@code dropoutSeed} (when {@link #dropout()} is above 0): the same seed and
   * shapes give the same masks on every machine and thread. A caller derives a fresh seed per
   * step and partition; models without dropout ignore it.
   */
  default double lossAndGradient(float[] params, int[] inputs, int[] targets, int batch,
                                 int steps, float[] state, float[] grad, long dropoutSeed) {
    return lossAndGradient(params, inputs, targets, batch, steps, state, grad);
  }

  /** Forward only: the summed cross-entropy, with the final state left in {@code state}. */
  default double loss(float[] params, int[] inputs, int[] targets, int batch, int steps,
                      float[] state) {
    return loss(params, inputs, targets, batch, steps, state, null);
  }

  /**
   * {@link #loss(float[], int[], int[], int, int, float[])} that also writes each target's
   * cross-entropy into {@code tokenLosses} (laid out as {@code targets}: {@code [t * batch + b]})
   * when it is not null.
   */
  double loss(float[] params, int[] inputs, int[] targets, int batch, int steps, float[] state,
              double[] tokenLosses);

  /**
   * One step of one sequence: consumes {@code token}, updates {@code state} ({@code stateSize()}
   * floats) and writes the next-token logits into {@code logits} ({@code vocabSize()} floats).
   */
  void step(float[] params, int token, float[] state, float[] logits);

  /**
   * One step of {@code batch} sequences: consumes {@code tokens[b]}, updates {@code states}
   * ({@code (batch, stateSize())}) and writes the next-token logits into {@code logits}
   * ({@code (batch, vocabSize())}). One sequence is {@link #step(float[], int, float[], float[])}
   * exactly; more go through products of {@code batch} rows, which may round differently in the
   * last bits.
   */
  void step(float[] params, int[] tokens, int batch, float[] states, float[] logits);
}
