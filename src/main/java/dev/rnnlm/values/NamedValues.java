package dev.rnnlm.values;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message whose values are named in braces, {@code "{lr} must be > 0, got -1.0"}: the thrower
 * writes the names in its own terms; {@link #render} puts in the words of whoever reads it.
 * Implemented by the exceptions that carry such a message ({@link InvalidValueException},
 * {@code data.InputException}).
 */
public interface NamedValues {
  /** A name in braces: letters, digits and dashes. */
  Pattern NAME = Pattern.compile("\\{([A-Za-z][A-Za-z0-9-]*)\\}");

  /** The message with its names in braces; null when the message names no value this way. */
  String template();

  /** {@code template} with each {@code {name}} replaced by {@code nameOf(name)}. */
  static String render(String template, Function<String, String> nameOf) {
    Matcher m = NAME.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(nameOf.apply(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The names {@code template} mentions, in order of appearance. */
  static List<String> names(String template) {
    List<String> names = new ArrayList<>();
    Matcher m = NAME.matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** A value's name as a template writes it: {@code "{lr}"}. */
  static String ref(String name) {
    return "{" + name + "}";
  }
}
