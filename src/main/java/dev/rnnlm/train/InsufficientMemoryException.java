package dev.rnnlm.train;

/** A run whose memory estimate does not fit the heaps it would run in; the message says by how much and what to do. */
public final class InsufficientMemoryException extends IllegalStateException {
  public InsufficientMemoryException(String message) {
    super(message);
  }
}
