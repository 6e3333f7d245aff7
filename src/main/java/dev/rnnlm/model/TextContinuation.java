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
   * The prefix's token ids ({@link TextPipeline#tokenizeText}; unknown tokens are
   * {@code <unk>}); empty when nothing is left after normalization, which cannot be continued.
   */
  public List<Integer> prefixIds(String prefix) {
    return pipeline.tokenizeText(prefix).stream().map(vocab::id).toList();
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
    String prefixText = pipeline.tokenizer().join(prefixIds.stream().map(vocab::token).toList());
    GeneratedText text = new GeneratedText(stopAt);
    generator.generate(prefixIds, length, sampling, text);
    return text.after(prefixText);
  }

  /**
   * The text of the generated tokens (after the prefix), built as they come; with a stop
   * string, it asks to stop once the text contains it and cuts the text right after its
   * first occurrence.
   */
  private final class GeneratedText implements IntPredicate {
    private final String stopAt;
    /** What the tokenizer puts between two tokens ("" for characters, " " for words). */
    private final String separator = pipeline.tokenizer().join(List.of("", ""));
    private final StringBuilder text = new StringBuilder();
    private int tokens;

    GeneratedText(String stopAt) {
      this.stopAt = stopAt;
    }

    @Override
    public boolean test(int token) {
      int before = text.length();
      if (tokens++ > 0) {
        text.append(separator);
      }
      text.append(vocab.token(token));
      if (stopAt == null) {
        return false;
      }
      // An occurrence that was not there before ends in what was just appended.
      int at = text.indexOf(stopAt, Math.max(0, before - stopAt.length() + 1));
      if (at < 0) {
        return false;
      }
      text.setLength(at + stopAt.length());
      return true;
    }

    /** The whole output: the prefix text, then the generated text as the tokenizer joins them. */
    String after(String prefixText) {
      return tokens == 0 ? prefixText : prefixText + separator + text;
    }
  }
}
