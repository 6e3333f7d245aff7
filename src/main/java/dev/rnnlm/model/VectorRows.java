package dev.rnnlm.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax's row reductions ({@link Softmax}'s maximum, bias add and sum) with the Java Vector
 * API, giving the scalar loops' bits: a maximum is the same whatever the order (lanewise max
 * follows {@code Math.max}, NaN and signed zeros included), and the sum keeps the scalar loop's
 * four double partial sums, lane j adding the elements i = j mod 4 in order. The scalar loops
 * are latency-bound (each {@code Math.max} or double add waits for the previous one): at
 * V = 13,777 they took a third of a word model's scoring time. Loaded only when the JVM has the
 * {@code jdk.incubator.vector} module ({@link Softmax} checks).
 */
final class VectorRows {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  /** Four floats widened to four doubles: the sum's four partial sums. */
  private static final VectorSpecies<Float> FOUR_FLOATS = FloatVector.SPECIES_128;
  private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

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

  /** {@link Softmax#sum}'s value: four double partial sums (elements i mod 4), then (s0 + s1) + (s2 + s3). */
  static double sum(float[] a, int off, int n) {
    DoubleVector acc = DoubleVector.zero(FOUR_DOUBLES);
    int i = 0;
    for (; i + 3 < n; i += 4) {
      acc = acc.add(FloatVector.fromArray(FOUR_FLOATS, a, off + i)
          .convertShape(VectorOperators.F2D, FOUR_DOUBLES, 0));
    }
    double s0 = acc.lane(0);
    for (; i < n; i++) {
      s0 += a[off + i];
    }
    return (s0 + acc.lane(1)) + (acc.lane(2) + acc.lane(3));
  }
}
