package dev.rnnlm.io;

import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A model as stored in a model directory: what it is, how its text is tokenized, its
 * vocabulary and parameters, and where training stood. Serializable: Spark ships it to the
 * tasks that score or generate with it (dev.rnnlm.ml).
 *
 * @param cell cell type, e.g. "rnn"
 * @param hidden hidden units
 * @param normalize text cleaning it was trained with
 * @param tokens tokenization it was trained with
 * @param vocabulary token ids
 * @param params flat parameters in the cell's layout
 * @param position how far training got
 * @param training the training options, by option name (without "--")
 * @param provenance where it came from: inputs, token counts, times
 */
public record SavedModel(String cell, int hidden, Normalizer normalize, Tokenizer tokens,
                         Vocabulary vocabulary, float[] params, TrainingPosition position,
                         Map<String, String> training, Map<String, String> provenance)
    implements Serializable {

  /** The cell types {@link #newModel} builds. */
  public static final List<String> CELL_TYPES = List.of("rnn");

  /** How far training got: completed epochs, optimizer steps and target tokens seen. */
  public record TrainingPosition(int epochs, long steps, long tokensSeen) implements Serializable {}

  public TextPipeline pipeline() {
    return new TextPipeline(normalize, tokens);
  }

  /** The model this file describes, ready to take {@link #params()}. */
  public LanguageModel model() {
    return newModel(cell, vocabulary.size(), hidden);
  }

  /** Builds the model for a cell type; the one place that maps names to cell classes. */
  public static LanguageModel newModel(String cell, int vocabSize, int hidden) {
    if ("rnn".equals(cell)) {
      return new RnnModel(vocabSize, hidden);
    }
    throw new IllegalArgumentException("unknown cell type '" + cell + "'");
  }
}
