package dev.rnnlm.model;

import java.util.List;

/** Builds language models by cell type: the one place that maps cell names to classes. */
public final class LanguageModels {
  /** The cell types {@link #create} accepts. */
  public static final List<String> CELL_TYPES = List.of("rnn", "gru", "lstm");

  private LanguageModels() {}

  /**
   * A model of {@code layers} stacked layers of {@code cell} ("rnn", "gru" or "lstm") with
   * inverted dropout {@code dropout} in [0, 1) on each layer's output. One rnn layer without
   * dropout is {@link RnnModel}, the fast path; everything else a {@link StackedModel}.
   *
   * @throws IllegalArgumentException for an unknown cell, sizes below 1 or dropout outside [0, 1)
   */
  public static LanguageModel create(String cell, int vocab, int hidden, int layers,
                                     float dropout) {
    return create(cell, vocab, hidden, layers, dropout, 0, false);
  }

  /**
   * {@link #create(String, int, int, int, float)} with an input embedding of {@code embedding}
   * (0: none) and the output layer's weight tied to it ({@code tiedWeights}: needs
   * {@code embedding == hidden}).
   *
   * @throws IllegalArgumentException also for a negative embedding size or tying without it
   */
  public static LanguageModel create(String cell, int vocab, int hidden, int layers,
                                     float dropout, int embedding, boolean tiedWeights) {
    return create(cell, vocab, hidden, layers, dropout, embedding, tiedWeights, List.of());
  }

  /**
   * {@link #create(String, int, int, int, float, int, boolean)} with an adaptive softmax output
   * layer of the given cutoffs ({@code adaptiveCutoffs} not empty; see {@link AdaptiveSoftmax}),
   * or a full softmax (empty).
   *
   * @throws IllegalArgumentException also for cutoffs that do not increase within [1, V - 1]
   */
  public static LanguageModel create(String cell, int vocab, int hidden, int layers,
                                     float dropout, int embedding, boolean tiedWeights,
                                     List<Integer> adaptiveCutoffs) {
    RecurrentCell recurrentCell = cell(cell);
    if (recurrentCell instanceof RnnCell && layers == 1 && dropout == 0f && embedding == 0
        && !tiedWeights && adaptiveCutoffs.isEmpty()) {
      return new RnnModel(vocab, hidden);
    }
    return new StackedModel(recurrentCell, vocab, hidden, layers, dropout, embedding, tiedWeights,
        adaptiveCutoffs);
  }

  static RecurrentCell cell(String name) {
    if (name != null) {
      switch (name) {
        case "rnn":
          return new RnnCell();
        case "gru":
          return new GruCell();
        case "lstm":
          return new LstmCell();
        default:
          break;
      }
    }
    throw new IllegalArgumentException("unknown cell '" + name + "': expected one of "
        + String.join(", ", CELL_TYPES));
  }
}
