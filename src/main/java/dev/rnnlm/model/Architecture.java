package dev.rnnlm.model;

import java.io.Serializable;
import java.util.List;

/**
 * A network without its vocabulary size, and the model built from it: the cell type ("rnn",
 * "gru", "lstm"), its hidden units, stacked layers, the dropout on each layer's output (training
 * only), the input embedding's size (0: one-hot inputs), whether the output layer's weight is the
 * embedding, and the cutoffs of an adaptive softmax output layer (empty: a full softmax).
 * Serializable: it travels inside a saved model to the tasks that score or generate with it.
 */
public record Architecture(String cell, int hidden, int layers, float dropout, int embedding,
                           boolean tiedWeights, List<Integer> adaptiveCutoffs)
    implements Serializable {
  public Architecture {
    adaptiveCutoffs = List.copyOf(adaptiveCutoffs);
  }

  /** With a full softmax. */
  public Architecture(String cell, int hidden, int layers, float dropout, int embedding,
                      boolean tiedWeights) {
    this(cell, hidden, layers, dropout, embedding, tiedWeights, List.of());
  }

  /** Without an embedding: one-hot inputs straight into the first layer. */
  public Architecture(String cell, int hidden, int layers, float dropout) {
    this(cell, hidden, layers, dropout, 0, false);
  }

  /** Whether the output layer is an adaptive softmax. */
  public boolean adaptiveSoftmax() {
    return !adaptiveCutoffs.isEmpty();
  }

  /** The book's model: one rnn layer, no dropout. */
  public static Architecture rnn(int hidden) {
    return new Architecture("rnn", hidden, 1, 0f);
  }

  /**
   * The model over {@code vocabSize} tokens, parameters not yet initialized
   * ({@link LanguageModels#create}).
   *
   * @throws IllegalArgumentException for an unknown cell or sizes {@link LanguageModels#create} rejects
   */
  public LanguageModel newModel(int vocabSize) {
    return LanguageModels.create(cell, vocabSize, hidden, layers, dropout, embedding, tiedWeights,
        adaptiveCutoffs);
  }
}
