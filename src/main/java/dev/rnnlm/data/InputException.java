package dev.rnnlm.data;

import dev.rnnlm.values.NamedValues;

/**
 * A problem with the user's input (paths, corpus contents) that ends the command. Made with
 * {@link #naming}, its message names the values it is about in braces, in this package's terms
 * ({@link NamedValues}), for the command line or the Spark ML API to render.
 */
public class InputException extends RuntimeException implements NamedValues {
  private final String template;

  public InputException(String message) {
    this(message, null);
  }

  private InputException(String message, String template) {
    super(message);
    this.template = template;
  }

  /** An input problem whose message names values in braces: "cannot fill one step of {batch} 64". */
  public static InputException naming(String template) {
    return new InputException(NamedValues.render(template, name -> name), template);
  }

  @Override
  public String template() {
    return template;
  }
}
