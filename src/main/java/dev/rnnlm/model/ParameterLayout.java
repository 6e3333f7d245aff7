package dev.rnnlm.model;

import dev.rnnlm.values.InvalidValueException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** The tensors of a model as consecutive views of one flat {@code float[]}, in declaration order. */
public final class ParameterLayout implements Serializable {
  private final List<Tensor> tensors;
  private final int size;

  private ParameterLayout(List<Tensor> tensors, int size) {
    this.tensors = List.copyOf(tensors);
    this.size = size;
  }

  /** Starts a layout; add tensors in the order they are stored. */
  public static Builder builder() {
    return new Builder();
  }

  public List<Tensor> tensors() {
    return tensors;
  }

  public Tensor tensor(String name) {
    for (Tensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no tensor named " + name);
  }

  /** Total number of parameters: the length of the flat array. */
  public int size() {
    return size;
  }

  /** The flat parameter array is one Java array: at most this many floats. */
  public static final int MAX_PARAMETERS = Integer.MAX_VALUE - 8;

  public static final class Builder {
    private final List<Tensor> tensors = new ArrayList<>();
    private int next;

    public Tensor add(String name, int rows, int cols) {
      Tensor t = new Tensor(name, rows, cols, next);
      tensors.add(t);
      long end = (long) next + (long) rows * cols;
      if (end > MAX_PARAMETERS) {
        throw new InvalidValueException("model too large: " + name + " (" + rows + " x " + cols
            + ") takes it past " + MAX_PARAMETERS + " parameters, the limit of one Java array;"
            + " use a smaller {vocabulary} or {hidden}");
      }
      next = (int) end;
      return t;
    }

    public ParameterLayout build() {
      return new ParameterLayout(tensors, next);
    }
  }
}
