package dev.rnnlm.optim;

/**
 * An update rule for one flat float32 parameter vector, applied by the driver once per step to
 * the averaged, clipped gradient. Every implementation follows the {@code torch.optim} class of
 * the same name: the per-element formulas are in each class's Javadoc. Build one with
 * {@link Optimizers#create}.
 *
 * <p>The state is explicit so that a checkpoint can hold it and a resumed run continue bit for
 * bit: {@link #state()} copies it out, {@link #restore} copies it back in.
 */
public interface Optimizer {

  /** The {@code --optimizer} name: sgd, momentum, adam, adamw, rmsprop or adagrad. */
  String name();

  /**
   * The hyperparameters in effect, defaults resolved; options this optimizer does not take are
   * null.
   */
  OptimizerSettings settings();

  /**
   * One step: updates {@code params} in place from {@code grad}, which is left untouched, and
   * this optimizer's state.
   *
   * @param params the parameters, {@code n} floats
   * @param grad the gradient, {@code n} floats
   * @param lr this step's learning rate (from the {@link LearningRateSchedule})
   * @throws IllegalArgumentException the lengths differ from each other or from the state's
   */
  default void apply(float[] params, float[] grad, float lr) {
    apply(params, grad, 1f, lr);
  }

  /**
   * {@link #apply(float[], float[], float)} of the gradient {@code gradScale * grad}, each element
   * multiplied as it is read: the bits of scaling the gradient first (clipping's factor) without
   * a pass of its own.
   */
  default void apply(float[] params, float[] grad, float gradScale, float lr) {
    apply(params, grad, gradScale, lr, null);
  }

  /**
   * {@link #apply(float[], float[], float, float)} of a gradient that is zero outside
   * {@code support} (null: anywhere): an optimizer for which a zero gradient changes nothing
   * (SGD without weight decay) updates the supported ranges only; the others every element, as
   * torch's dense optimizers do (momentum, moments and weight decay move untouched rows too).
   */
  void apply(float[] params, float[] grad, float gradScale, float lr, RowSupport support);

  /** A copy of the state as it stands: steps taken and every slot. */
  OptimizerState state();

  /**
   * Replaces the state with {@code state}, as {@link #state()} returned it, so that the next
   * {@link #apply} does what it would have done in the run that saved it.
   *
   * @throws IllegalArgumentException {@code state} belongs to another optimizer, has other slots
   *     or slots of another length (the message names which); the state is then unchanged
   */
  void restore(OptimizerState state);
}
