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
        line.codePoints().forEach(cp -> out.accept(new String(Character.toChars(cp))));
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
