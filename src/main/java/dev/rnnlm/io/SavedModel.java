package dev.rnnlm.io;

import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.Serializable;
import java.util.Map;

/**
 * A model as stored in a model directory: what it is, how its text is tokenized, its
 * vocabulary and parameters, and where training stood. Serializable: Spark ships it to the
 * tasks that score or generate with it (dev.rnnlm.ml).
 *
 * @param architecture the network: cell type and sizes, and the model factory ({@link Architecture#newModel})
 * @param text the text cleaning and tokenization it was trained with
 * @param vocabulary token ids
 * @param params flat parameters in the cell's layout
 * @param lineage how it was trained and from what
 */
public record SavedModel(Architecture architecture, TextPipeline text, Vocabulary vocabulary,
                         float[] params, Lineage lineage) implements Serializable {

  /**
   * How far training got, the training options by option name (without "--"), and where the
   * model came from (inputs, token counts, times).
   */
  public record Lineage(TrainingPosition position, Map<String, String> training,
                        Map<String, String> provenance) implements Serializable {}

  /** How far training got: completed epochs, optimizer steps and target tokens seen. */
  public record TrainingPosition(int epochs, long steps, long tokensSeen) implements Serializable {}

  public String cell() {
    return architecture.cell();
  }

  public int hidden() {
    return architecture.hidden();
  }

  public int layers() {
    return architecture.layers();
  }

  public Normalizer normalize() {
    return text.normalizer();
  }

  public Tokenizer tokens() {
    return text.tokenizer();
  }

  public TrainingPosition position() {
    return lineage.position();
  }

  public Map<String, String> training() {
    return lineage.training();
  }

  public Map<String, String> provenance() {
    return lineage.provenance();
  }

  /** The model this file describes, ready to take {@link #params()}. */
  public LanguageModel model() {
    return architecture.newModel(vocabulary.size());
  }
}
