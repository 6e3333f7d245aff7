package dev.rnnlm.values;

import java.util.function.Function;

/**
 * A value that cannot work, with a message naming it in the thrower's terms
 * ({@link NamedValues}): {@code new InvalidValueException("{decay} must be in (0, 1], got 2.0")}.
 * Read bare, a name shows as written ("decay must be ..."); a layer that knows what its users
 * call the value renders the message with {@link #message(Function)}.
 */
public class InvalidValueException extends IllegalArgumentException implements NamedValues {
  private final String template;

  public InvalidValueException(String template) {
    super(template);
    this.template = template;
  }

  @Override
  public String template() {
    return template;
  }

  /** The message with each name as {@code nameOf} gives it. */
  public String message(Function<String, String> nameOf) {
    return NamedValues.render(template, nameOf);
  }

  /** The message with each name as {@link #shown} gives it. */
  @Override
  public String getMessage() {
    return message(this::shown);
  }

  /** A name as this exception shows it when nobody renders it: as written. */
  protected String shown(String name) {
    return name;
  }
}
