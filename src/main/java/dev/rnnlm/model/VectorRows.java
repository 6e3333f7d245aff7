package dev.rnnlm.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax's row maximum (with the bias added, or alone) with the Java Vector API, giving the
 * scalar loops' bits: a maximum is the same whatever the order (lanewise max follows
 * {@code Math.max}, NaN and signed zeros included). The scalar loops are latency-bound (each
 * {@code Math.max} waits for the previous one); with the sum ({@link VectorExp#expShiftedSum})
 * they took a third of a word model's scoring time at V = 13,777. Loaded only when the JVM has the
 * {@code jdk.incubator.vector} module ({@link Softmax} checks).
 */
final class VectorRows {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

  private VectorRows() {}

  /** The maximum of {@code a[off, off + n)}; negative infinity for n = 0. */
  static float max(float[] a, int off, int n) {
    FloatVector acc = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY);
    int i = 0;
    int bound = FLOATS.loopBound(n);
    for (; i < bound; i += FLOATS.length()) {
      acc = acc.max(FloatVector.fromArray(FLOATS, a, off + i));
    }
    float max = acc.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      max = Math.max(max, a[off + i]);
    }
    return max;
  }

  /** {@code a[off + j] += bias[biasOff + j]} for j < n; returns the new row's maximum. */
  static float addAndMax(float[] a, int off, float[] bias, int biasOff, int n) {
    FloatVector acc = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY);
    int i = 0;
    int bound = FLOATS.loopBound(n);
    for (; i < bound; i += FLOATS.length()) {
      FloatVector o = FloatVector.fromArray(FLOATS, a, off + i)
          .add(FloatVector.fromArray(FLOATS, bias, biasOff + i));
      o.intoArray(a, off + i);
      acc = acc.max(o);
    }
    float max = acc.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      float o = a[off + i] + bias[biasOff + i];
      a[off + i] = o;
      max = Math.max(max, o);
    }
    return max;
  }
}
