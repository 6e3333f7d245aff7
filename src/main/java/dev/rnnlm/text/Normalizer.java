package dev.rnnlm.text;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a line of text is cleaned before tokenization. Applied per line; the line terminator
 * is not part of the line.
 */
public enum Normalizer {
  /** Text kept as it is. */
  NONE,
  /** Lower case (root locale), otherwise as it is. */
  LOWER,
  /** The book's cleaning: every run of non-letters becomes one space, trimmed, lower case. */
  D2L;

  private static final Pattern NON_LETTERS = Pattern.compile("[^A-Za-z]+");

  public String apply(String line) {
    return switch (this) {
      case NONE -> line;
      case LOWER -> line.toLowerCase(Locale.ROOT);
      case D2L -> NON_LETTERS.matcher(line).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
    };
  }

  /**
   * Whether line breaks are part of the token stream. The book joins its cleaned lines with
   * nothing between them; the other modes keep the text's line structure as a newline token.
   */
  public boolean keepsLineBreaks() {
    return this != D2L;
  }

  public static Normalizer parse(String name) {
    for (Normalizer n : values()) {
      if (n.name().equalsIgnoreCase(name)) {
        return n;
      }
    }
    throw new IllegalArgumentException("--normalize must be none, lower or d2l, got '" + name + "'");
  }

  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
