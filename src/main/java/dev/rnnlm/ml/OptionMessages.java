package dev.rnnlm.ml;

import dev.rnnlm.data.InputException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line's error messages in the words of Spark ML params. Validation stays where it
 * is (TrainSettings, SamplingSettings, the corpus reader); only the names change: every
 * {@code --option} that has a param becomes the param's name ("--min-freq must be >= 0, got -1"
 * reads "minFreq must be >= 0, got -1"), and paths that only exist during a call are replaced
 * by what the user gave.
 */
final class OptionMessages {
  private static final Pattern OPTION = Pattern.compile("--([a-z]+(?:-[a-z]+)*)");

  private OptionMessages() {}

  /**
   * {@code message} with each {@code --option} named in {@code paramOfOption} replaced by its
   * param's name and each key of {@code replacedText} by its value.
   */
  static String inParamNames(String message, Map<String, String> paramOfOption,
                             Map<String, String> replacedText) {
    if (message == null) {
      return null;
    }
    String text = message;
    for (Map.Entry<String, String> r : replacedText.entrySet()) {
      text = text.replace(r.getKey(), r.getValue());
    }
    Matcher m = OPTION.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String param = paramOfOption.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(param != null ? param : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The same exception kind with the message in param names; others unchanged. */
  static RuntimeException inParamNames(RuntimeException e, Map<String, String> paramOfOption,
                                       Map<String, String> replacedText) {
    String message = inParamNames(e.getMessage(), paramOfOption, replacedText);
    if (message == null || message.equals(e.getMessage())) {
      return e;
    }
    RuntimeException renamed;
    if (e instanceof InputException) {
      renamed = new InputException(message);
    } else if (e instanceof IllegalArgumentException) {
      renamed = new IllegalArgumentException(message);
    } else {
      return e;
    }
    renamed.initCause(e);
    return renamed;
  }
}
