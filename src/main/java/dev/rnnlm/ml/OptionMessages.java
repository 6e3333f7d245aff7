package dev.rnnlm.ml;

import dev.rnnlm.data.InputException;
import dev.rnnlm.train.TrainOptions;
import dev.rnnlm.values.NamedValues;
import java.util.Map;

/**
 * The trainer's failures in the words of Spark ML params. Validation stays where it is
 * (TrainSettings, the option declarations, the corpus reader); a failure that names values
 * ({@link NamedValues}: the settings' messages name options by their declarations, the packages
 * below in their own terms) is rendered with each option's param name ("minFreq must be >= 0,
 * got -1"), and paths that only exist during a call are replaced by what the user gave.
 */
final class OptionMessages {
  private OptionMessages() {}

  /**
   * The same exception kind with its message naming {@code paramOfOption}'s params (by option
   * name; an option that is no param keeps its flag) and each key of {@code replacedText}
   * replaced by its value; {@code e} itself when nothing changes.
   */
  static RuntimeException inParamNames(RuntimeException e, Map<String, String> paramOfOption,
                                       Map<String, String> replacedText) {
    String message = e instanceof NamedValues named && named.template() != null
        ? TrainOptions.message(named, o -> paramOfOption.getOrDefault(o.name(), o.flag()))
        : e.getMessage();
    if (message == null) {
      return e;
    }
    for (Map.Entry<String, String> r : replacedText.entrySet()) {
      message = message.replace(r.getKey(), r.getValue());
    }
    if (message.equals(e.getMessage())) {
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
