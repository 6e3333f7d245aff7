package dev.rnnlm.data;

import dev.rnnlm.values.InvalidValueException;
import java.util.Locale;

/** How minibatches are cut from the token stream (the book's two iterators). */
public enum Sampling {
  /** Contiguous streams; hidden state carried across steps of an epoch. */
  SEQUENTIAL,
  /** Shuffled non-overlapping windows; hidden state reset every step. */
  RANDOM;

  public static Sampling parse(String name) {
    for (Sampling s : values()) {
      if (s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new InvalidValueException("{sampling} must be sequential or random, got '" + name + "'");
  }

  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
