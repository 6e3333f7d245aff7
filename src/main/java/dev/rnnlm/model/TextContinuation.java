package dev.rnnlm.model;

import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Text in, text out around {@link TextGenerator}: a prefix is normalized and tokenized as the
 * model's training text was, continued, and the tokens are joined back into text. The one
 * place that does this, so that {@code rnnlm generate} and the Spark ML model print the same
 * text for the same prefix and sampling settings.
 */
public final class TextContinuation {
  private final TextPipeline pipeline;
  private final Vocabulary vocab;
  private final TextGenerator generator;

  public TextContinuation(LanguageModel model, float[] params, TextPipeline pipeline,
                          Vocabulary vocab) {
    this.pipeline = pipeline;
    this.vocab = vocab;
    this.generator = new TextGenerator(model, params);
  }

  /**
   * The prefix's token ids ({@link TextPipeline#encodeText}; unknown tokens are
   * {@code <unk>}); empty when nothing is left after normalization, which cannot be continued.
   */
  public List<Integer> prefixIds(String prefix) {
    return pipeline.encodeText(prefix, vocab);
  }

  /**
   * The prefix as the model reads it (its tokens joined back, so normalized, with
   * {@code <unk>} for unknown tokens), then at most {@code length} generated tokens joined as the
   * tokenizer joins them. With {@code stopAt} (null: none) the text ends right after the first
   * occurrence of {@code stopAt} in the generated text.
   *
   * @param prefixIds non-empty, from {@link #prefixIds}
   */
  public String continueText(List<Integer> prefixIds, int length, SamplingSettings sampling,
                             String stopAt) {
    return continueTexts(prefixIds, length, List.of(sampling), stopAt).get(0);
  }

  /**
   * {@link #continueText} once per element of {@code samplings}, generated together
   * ({@link TextGenerator#generate(List, int, List, List)}: batched steps).
   */
  public List<String> continueTexts(List<Integer> prefixIds, int length,
                                    List<SamplingSettings> samplings, String stopAt) {
    String prefixText = pipeline.join(prefixIds, vocab);
    List<GeneratedText> texts = samplings.stream().map(s -> new GeneratedText(prefixText, stopAt))
        .toList();
    generator.generate(prefixIds, length, samplings, List.copyOf(texts));
    return texts.stream().map(GeneratedText::toString).toList();
  }

  /**
   * The prefix's text followed by the generated tokens, joined as the tokenizer joins them and
   * built as they come; with a stop string, it asks to stop once the generated part contains it
   * and cuts the text right after its first occurrence there.
   */
  private final class GeneratedText implements IntPredicate {
    private final String stopAt;
    private final TextPipeline.TextBuilder text;
    private final int prefixLength;
    private int searchedTo; // the text's length when the stop string was last looked for

    GeneratedText(String prefixText, String stopAt) {
      this.stopAt = stopAt;
      this.text = pipeline.textAfter(prefixText, vocab);
      this.prefixLength = prefixText.length();
      this.searchedTo = prefixLength;
    }

    @Override
    public boolean test(int token) {
      text.append(token);
      if (stopAt == null) {
        return false;
      }
      // An occurrence that was not there before ends in what came since the last look (decoded
      // subwords may rewrite the last character or two: a partial UTF-8 sequence completed).
      String now = text.toString();
      int at = now.indexOf(stopAt, Math.max(prefixLength, searchedTo - stopAt.length() - 2));
      searchedTo = now.length();
      if (at < 0) {
        return false;
      }
      text.cut(at + stopAt.length());
      return true;
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
