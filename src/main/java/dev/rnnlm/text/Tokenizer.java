package dev.rnnlm.text;

import dev.rnnlm.values.InvalidValueException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Splits one normalized line into tokens. */
public enum Tokenizer {
  /** One token per Unicode code point; a kept line break is the token "\n". */
  CHAR,
  /** Whitespace-separated words; line breaks are never tokens. */
  WORD,
  /**
   * Whitespace-separated words and the word {@code <eos>} at each kept line end (blank lines
   * included), as PyTorch's word_language_model reads a corpus.
   */
  WORD_EOS,
  /**
   * Subwords of a byte-level BPE learned from the training text ({@code --tokens bpe}); encoded
   * and decoded by the pipeline's {@link SubwordTokenizer}.
   */
  BPE,
  /** Subwords of a given Hugging Face tokenizer.json ({@code --tokenizer FILE}); as {@link #BPE}. */
  TOKENIZER;

  public static final String LINE_BREAK = "\n";
  /** The end-of-line word of {@link #WORD_EOS}. */
  public static final String END_OF_SENTENCE = "<eos>";
  /** Any Unicode whitespace run, as Python's {@code str.split()}. */
  private static final Pattern WHITESPACE = Pattern.compile("(?U)\\s+");

  /**
   * Emits the tokens of one line (already normalized) in order, followed by the line-break
   * token when {@code keepLineBreak} is set and this tokenizer has one.
   */
  public void tokenize(String line, boolean keepLineBreak, Consumer<String> out) {
    switch (this) {
      case BPE, TOKENIZER -> throw new IllegalStateException(
          "subword tokens come from the pipeline's tokenizer.json, not from a split of the text");
      case CHAR -> {
        for (int i = 0; i < line.length(); ) {
          int cp = line.codePointAt(i);
          out.accept(charToken(cp));
          i += Character.charCount(cp);
        }
        if (keepLineBreak) {
          out.accept(LINE_BREAK);
        }
      }
      case WORD, WORD_EOS -> {
        for (String w : WHITESPACE.split(line)) {
          if (!w.isEmpty()) {
            out.accept(w);
          }
        }
        if (this == WORD_EOS && keepLineBreak) {
          out.accept(END_OF_SENTENCE);
        }
      }
    }
  }

  /** One-character strings of the Basic Multilingual Plane, made once: tokenizing is per character. */
  private static final String[] BMP_TOKENS = new String[1 << 16];

  private static String charToken(int cp) {
    if (cp < BMP_TOKENS.length) {
      String t = BMP_TOKENS[cp];
      if (t == null) {
        t = String.valueOf((char) cp);
        BMP_TOKENS[cp] = t; // benign race: any thread's copy is equal
      }
      return t;
    }
    return new String(Character.toChars(cp));
  }

  /** How generated tokens are joined back into text; {@code <eos>} of word-eos is a line break. */
  public String join(List<String> tokens) {
    StringBuilder text = new StringBuilder();
    for (String t : tokens) {
      appendToken(text, t);
    }
    return text.toString();
  }

  /**
   * Appends {@code token} to {@code text} as {@link #join} joins it: characters as they are;
   * words after a space unless the text is empty (or, for word-eos, ends a line); word-eos's
   * {@code <eos>} as a line break.
   */
  public void appendToken(StringBuilder text, String token) {
    if (this == CHAR) {
      text.append(token);
      return;
    }
    if (this == WORD_EOS && token.equals(END_OF_SENTENCE)) {
      text.append(LINE_BREAK);
      return;
    }
    boolean lineStart = text.length() == 0 || this == WORD_EOS && text.charAt(text.length() - 1) == '\n';
    if (!lineStart) {
      text.append(' ');
    }
    text.append(token);
  }

  public static Tokenizer parse(String name) {
    for (Tokenizer t : values()) {
      if (t.optionName().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new InvalidValueException("{tokens} must be char, word, word-eos or bpe, got '" + name + "'");
  }

  /** Whether the tokens are subwords of a tokenizer.json ({@link SubwordTokenizer}). */
  public boolean isSubword() {
    return this == BPE || this == TOKENIZER;
  }

  /** The {@code --tokens} value: char, word, word-eos, bpe; "tokenizer" with {@code --tokenizer FILE}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
