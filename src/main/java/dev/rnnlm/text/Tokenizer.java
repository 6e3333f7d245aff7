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
  WORD;

  public static final String LINE_BREAK = "\n";
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
      case WORD -> {
        for (String w : WHITESPACE.split(line)) {
          if (!w.isEmpty()) {
            out.accept(w);
          }
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

  /** How generated tokens are joined back into text. */
  public String join(List<String> tokens) {
    return String.join(this == CHAR ? "" : " ", tokens);
  }

  public static Tokenizer parse(String name) {
    for (Tokenizer t : values()) {
      if (t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("--tokens must be char or word, got '" + name + "'");
  }

  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
