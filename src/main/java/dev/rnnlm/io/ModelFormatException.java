package dev.rnnlm.io;

/** A model directory that is missing, incomplete, corrupt or of an unsupported version. */
public class ModelFormatException extends IllegalArgumentException {
  public ModelFormatException(String message) {
    super(message);
  }
}
