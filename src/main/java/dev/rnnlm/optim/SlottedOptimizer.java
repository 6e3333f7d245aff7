package dev.rnnlm.optim;

import java.util.Arrays;
import java.util.List;

/**
 * What every optimizer here shares: its name and settings, the step count and the named slots
 * that make up its {@link OptimizerState}, the length checks, and saving and restoring them.
 * A subclass says what one step does ({@link #update}) on {@link #slots}.
 */
abstract class SlottedOptimizer implements Optimizer {
  private final String name;
  private final OptimizerSettings settings;
  private final List<String> slotNames;
  /** The state vectors, in {@link #slotNames} order, each as long as the parameters. */
  protected final float[][] slots;
  private long step;

  /** Zero-filled slots of {@code size} floats, one per name (none for a stateless rule). */
  SlottedOptimizer(String name, OptimizerSettings settings, int size, String... slotNames) {
    if (size < 0) {
      throw new IllegalArgumentException(name + ": size must be >= 0, got " + size);
    }
    this.name = name;
    this.settings = settings;
    this.slotNames = List.of(slotNames);
    this.slots = new float[slotNames.length][size];
  }

  /**
   * Step {@code t} (1 for the first, as torch's {@code state['step']} after its increment) with
   * the gradient {@code scale * grad[i]}: updates the elements [from, to) of {@code params} and
   * {@link #slots} in place. Called once over the whole vector, or once per range of a
   * {@link RowSupport} when {@link #zeroGradientIsNoOp}. Lengths are already checked.
   */
  protected abstract void update(float[] params, float[] grad, float scale, float lr, long t,
                                 int from, int to);

  /**
   * Whether an element whose gradient is zero keeps its value and state exactly, so that the
   * update may skip it (SGD without weight decay; not momentum or Adam, whose state moves).
   */
  protected boolean zeroGradientIsNoOp() {
    return false;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final OptimizerSettings settings() {
    return settings;
  }

  @Override
  public final void apply(float[] params, float[] grad, float gradScale, float lr,
                          RowSupport support) {
    if (grad.length != params.length) {
      throw new IllegalArgumentException(name + ": the gradient has " + grad.length
          + " values, the parameters " + params.length);
    }
    if (slots.length > 0 && slots[0].length != params.length) {
      throw new IllegalArgumentException(name + ": the state holds " + slots[0].length
          + " values per slot, the parameters have " + params.length);
    }
    long t = step + 1;
    if (support != null && zeroGradientIsNoOp()) {
      support.forEachRange(params.length, (from, to) -> update(params, grad, gradScale, lr, t, from, to));
    } else {
      update(params, grad, gradScale, lr, t, 0, params.length);
    }
    step++;
  }

  /** Steps taken so far. */
  protected final long step() {
    return step;
  }

  @Override
  public final OptimizerState state() {
    float[][] copies = Arrays.stream(slots).map(float[]::clone).toArray(float[][]::new);
    return new OptimizerState(name, step, slotNames, copies, false);
  }

  @Override
  public final void restore(OptimizerState state) {
    if (!state.optimizer().equals(name)) {
      throw new IllegalArgumentException("optimizer state of " + state.optimizer()
          + " cannot be restored into " + name);
    }
    if (!state.slotNames().equals(slotNames)) {
      throw new IllegalArgumentException("optimizer state of " + name + " has slots "
          + state.slotNames() + ", this " + name + " (" + settings + ") has " + slotNames);
    }
    for (int k = 0; k < slots.length; k++) {
      if (state.slotValues(k).length != slots[k].length) {
        throw new IllegalArgumentException("optimizer state slot '" + slotNames.get(k) + "' of "
            + name + " has " + state.slotValues(k).length + " values, the parameters "
            + slots[k].length);
      }
    }
    for (int k = 0; k < slots.length; k++) {
      System.arraycopy(state.slotValues(k), 0, slots[k], 0, slots[k].length);
    }
    step = state.step();
  }

  /** {@code "adam(beta1=0.9, beta2=0.999, eps=1.0E-8, weight_decay=0.0)"}. */
  @Override
  public String toString() {
    return name + "(" + settings + ")";
  }
}
