package dev.rnnlm.text;

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
  WORD_EOS;

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
    if (this != WORD_EOS) {
      return String.join(this == CHAR ? "" : " ", tokens);
    }
    StringBuilder text = new StringBuilder();
    for (String t : tokens) {
      if (t.equals(END_OF_SENTENCE)) {
        text.append(LINE_BREAK);
      } else {
        if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
          text.append(' ');
        }
        text.append(t);
      }
    }
    return text.toString();
  }

  public static Tokenizer parse(String name) {
    for (Tokenizer t : values()) {
      if (t.optionName().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("--tokens must be char, word or word-eos, got '" + name + "'");
  }

  /** The {@code --tokens} value: char, word, word-eos. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
