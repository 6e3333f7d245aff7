package dev.rnnlm.train;

import dev.rnnlm.values.InvalidValueException;
import dev.rnnlm.values.NamedValues;
import java.util.function.Function;

/**
 * An option value that cannot work: its message names options by their declarations
 * ({@link TrainOption#ref}), so that each surface names them as its users know them. Read as is
 * it is the command line's: {@code "{batch} must be > 0, got -3"} shows as {@code "--batch must be
 * > 0, got -3"}; {@code ml.RnnLM} renders it with its params' names ("batchSize must be ...").
 */
public final class OptionException extends InvalidValueException {
  OptionException(String template) {
    super(template);
  }

  @Override
  protected String shown(String name) {
    return "--" + name;
  }

  /**
   * {@code e}, a rejection in its thrower's terms, with each name it mentions replaced by
   * {@code refOf(name)}, an option's {@link TrainOption#ref} (or any text); the cause is {@code e}.
   */
  static OptionException renamed(InvalidValueException e, Function<String, String> refOf) {
    OptionException o = new OptionException(NamedValues.render(e.template(), refOf));
    o.initCause(e);
    return o;
  }
}
