package dev.rnnlm.text;

import dev.rnnlm.values.InvalidValueException;
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
    return apply(line, true, true);
  }

  /**
   * Cleans a piece of a line. The book's trimming applies only at the line's real start and
   * end; pieces are cut between a space and a letter, so a run of non-letters never spans two.
   */
  public String apply(String piece, boolean lineStart, boolean lineEnd) {
    return switch (this) {
      case NONE -> piece;
      case LOWER -> piece.toLowerCase(Locale.ROOT);
      case D2L -> {
        String spaced = NON_LETTERS.matcher(piece).replaceAll(" ");
        if (lineStart) {
          spaced = spaced.stripLeading();
        }
        if (lineEnd) {
          spaced = spaced.stripTrailing();
        }
        yield spaced.toLowerCase(Locale.ROOT);
      }
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
    throw new InvalidValueException("{normalize} must be none, lower or d2l, got '" + name + "'");
  }

  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
