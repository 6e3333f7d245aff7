package dev.rnnlm.data;

/** A problem with the user's input (paths, corpus contents) that ends the command. */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }
}
