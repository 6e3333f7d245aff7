package dev.rnnlm.model;

import java.io.Serializable;

/** A named row-major {@code (rows, cols)} view into the flat parameter array, at {@code offset}. */
public record Tensor(String name, int rows, int cols, int offset) implements Serializable {
  public int size() {
    return rows * cols;
  }

  /** Shape as the exporters write it: a vector when {@code rows == 1}. */
  public int[] shape() {
    return rows == 1 ? new int[] {cols} : new int[] {rows, cols};
  }
}
