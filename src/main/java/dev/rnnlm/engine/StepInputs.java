package dev.rnnlm.engine;

import java.io.Serializable;

/**
 * What every partition reads in a round: the parameters (flat, in the model's layout) and each
 * partition's carried state ({@code states[p]}: {@code (b_p, stateSize)} row-major; null: every
 * step starts from zeros). A {@link StepChannel} carries it to the tasks.
 */
record StepInputs(PackedFloats params, PackedFloats[] states) implements Serializable {}
