package dev.rnnlm.text;

import dev.rnnlm.values.InvalidValueException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Normalizer + tokenizer: the one way text becomes token ids, in training and at use, and ids
 * become text again. Character and word tokens are strings that a {@link Vocabulary} numbers;
 * subword tokens ({@link Tokenizer#isSubword()}) come as ids from {@code subwords}, the
 * tokenizer.json the model keeps.
 *
 * @param subwords the tokenizer of subword tokens; null for character and word tokens
 */
public record TextPipeline(Normalizer normalizer, Tokenizer tokenizer, SubwordTokenizer subwords)
    implements Serializable {

  public TextPipeline {
    if (tokenizer.isSubword() != (subwords != null)) {
      throw new InvalidValueException(tokenizer.isSubword()
          ? "{tokens} " + tokenizer.optionName() + " needs a tokenizer.json"
          : "a tokenizer.json is used only with subword tokens, not {tokens} " + tokenizer.optionName());
    }
  }

  /** Character or word tokens. */
  public TextPipeline(Normalizer normalizer, Tokenizer tokenizer) {
    this(normalizer, tokenizer, null);
  }

  /** Where encoded ids go: the id, and whether it stands for a token the vocabulary lacks ({@code <unk>}). */
  @FunctionalInterface
  public interface IdSink {
    void accept(int id, boolean unknownWord);
  }

  /**
   * The vocabulary this pipeline fixes by itself: a subword tokenizer's (ids as the tokenizer
   * gives them); null when the vocabulary is counted from the text.
   */
  public Vocabulary ownVocabulary() {
    return subwords == null ? null : Vocabulary.ofTokenizer(subwords.tokens());
  }

  /** Emits the tokens of one input line (without its terminator); character and word tokens only. */
  public void tokenizeLine(String line, Consumer<String> out) {
    tokenizePiece(line, true, true, out);
  }

  /**
   * Emits the tokens of a piece of a line (long lines are read in pieces); the line break
   * follows only the piece that ends its line. Character and word tokens only.
   */
  public void tokenizePiece(String piece, boolean lineStart, boolean lineEnd, Consumer<String> out) {
    tokenizer.tokenize(normalizer.apply(piece, lineStart, lineEnd),
        lineEnd && normalizer.keepsLineBreaks(), out);
  }

  /**
   * Emits the ids of a piece of a line. Subwords: the library's encoding of the normalized
   * piece, with its line break when it ends its line, so a line is encoded as "line\n" on its
   * own. Otherwise the tokens' ids in {@code vocab}, unknown ones as {@code <unk>}.
   */
  public void encodePiece(String piece, boolean lineStart, boolean lineEnd, Vocabulary vocab, IdSink out) {
    if (subwords != null) {
      String text = normalizer.apply(piece, lineStart, lineEnd);
      for (int id : subwords.encode(lineEnd && normalizer.keepsLineBreaks() ? text + "\n" : text)) {
        out.accept(id, false);
      }
      return;
    }
    tokenizePiece(piece, lineStart, lineEnd, t -> {
      int id = vocab.id(t);
      out.accept(id, id == Vocabulary.UNKNOWN_ID && !Vocabulary.UNKNOWN.equals(t));
    });
  }

  /**
   * Tokens of a free-standing text such as a generation prefix: lines split on '\n', and no
   * line break after the last line. Character and word tokens only.
   */
  public List<String> tokenizeText(String text) {
    List<String> tokens = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      boolean last = i == lines.length - 1;
      tokenizer.tokenize(normalizer.apply(lines[i]), !last && normalizer.keepsLineBreaks(), tokens::add);
    }
    return tokens;
  }

  /**
   * Ids of a free-standing text such as a generation prefix, read as training reads its lines
   * (each line with its break, the last one without); unknown tokens are {@code <unk>}.
   */
  public List<Integer> encodeText(String text, Vocabulary vocab) {
    List<Integer> ids = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      encodePiece(lines[i], true, i < lines.length - 1, vocab, (id, unknown) -> ids.add(id));
    }
    return ids;
  }

  /**
   * The text of {@code ids}: subwords through the tokenizer's decoder (bytes back to UTF-8);
   * characters and words as {@link Tokenizer#join} joins them.
   */
  public String join(List<Integer> ids, Vocabulary vocab) {
    if (subwords != null) {
      return subwords.decode(ids);
    }
    return tokenizer.join(ids.stream().map(vocab::token).toList());
  }

  /** A text built token by token: at every point, {@link #join} of the tokens so far after a fixed start. */
  public TextBuilder textAfter(String start, Vocabulary vocab) {
    return new TextBuilder(start, vocab);
  }

  /**
   * See {@link #textAfter}. Characters and words are appended as they come; subwords are decoded
   * together when the text is read, since one character's bytes may span several tokens.
   */
  public final class TextBuilder {
    private final StringBuilder text;
    private final Vocabulary vocab;
    private final List<Integer> subwordIds = new ArrayList<>();
    private final int startLength;
    private String decoded; // subwords: the text as last read; null when tokens came since

    private TextBuilder(String start, Vocabulary vocab) {
      this.text = new StringBuilder(start);
      this.vocab = vocab;
      this.startLength = start.length();
    }

    public void append(int id) {
      if (subwords == null) {
        tokenizer.appendToken(text, vocab.token(id));
      } else {
        subwordIds.add(id);
        decoded = null;
      }
    }

    /** Cuts the text to its first {@code length} characters; nothing may be appended after. */
    public void cut(int length) {
      String whole = toString();
      text.setLength(0);
      text.append(whole, 0, length);
      subwordIds.clear();
      decoded = null;
    }

    @Override
    public String toString() {
      if (subwords == null || subwordIds.isEmpty()) {
        return text.toString();
      }
      if (decoded == null) {
        decoded = text.substring(0, startLength) + subwords.decode(subwordIds);
      }
      return decoded;
    }
  }

  /**
   * The bytes of text each id stands for, so that a loss per token becomes bits per byte:
   * subwords as {@link SubwordTokenizer#tokenBytes}; a character its UTF-8 bytes ({@code <unk>}
   * one); a word its UTF-8 bytes and the space or line break after it ({@code <unk>} as the
   * five characters it is written as; {@code <eos>} the line break alone).
   */
  public int[] tokenBytes(Vocabulary vocab) {
    if (subwords != null) {
      return subwords.tokenBytes();
    }
    int[] bytes = new int[vocab.size()];
    for (int id = 0; id < bytes.length; id++) {
      String token = vocab.token(id);
      int utf8 = token.getBytes(StandardCharsets.UTF_8).length;
      bytes[id] = switch (tokenizer) {
        case CHAR -> id == Vocabulary.UNKNOWN_ID ? 1 : utf8;
        case WORD_EOS -> token.equals(Tokenizer.END_OF_SENTENCE) ? 1 : utf8 + 1;
        default -> utf8 + 1;
      };
    }
    return bytes;
  }
}
