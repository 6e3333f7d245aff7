package dev.rnnlm.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Softmax#expNonPositive} over arrays with the Java Vector API: the same float operations
 * in the same order per lane (multiplies and adds, never fused; max; integer adds and a shift on
 * the reinterpreted bits), each exactly specified, so every element gets
 * the bits of the scalar function, on any CPU and whether or not the JIT compiled this yet. The
 * JIT does not vectorize the scalar loop (the bit moves stop it), which took 7 ns an element. Loaded only when the JVM has the
 * {@code jdk.incubator.vector} module ({@link Softmax} checks).
 */
final class VectorExp {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

  private VectorExp() {}

  /** {@link Softmax#sum}'s four partial sums. */
  private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

  /**
   * {@link Softmax#sum} of {@code exp(src[srcOff + i] - shift)}, i < n, in one pass: each
   * exponential {@link Softmax#expNonPositive}'s bits (stored into {@code dst} when it is not
   * null), added in the same four double partial sums (lane j: the elements i = j mod 4, in
   * order). The same bits as {@code Softmax.expShifted} then {@code Softmax.sum}, without
   * writing and reading the row again.
   */
  static double expShiftedSum(float[] src, int srcOff, float shift, float[] dst, int dstOff, int n) {
    DoubleVector acc = DoubleVector.zero(FOUR_DOUBLES);
    int i = 0;
    int width = FLOATS.length();
    int bound = width % 4 == 0 ? FLOATS.loopBound(n) : 0;
    for (; i < bound; i += width) {
      FloatVector e = exp(FloatVector.fromArray(FLOATS, src, srcOff + i), shift);
      if (dst != null) {
        e.intoArray(dst, dstOff + i);
      }
      for (int part = 0; part < width / 4; part++) {   // elements i + 4 part .. i + 4 part + 3
        acc = acc.add(e.convertShape(VectorOperators.F2D, FOUR_DOUBLES, part));
      }
    }
    double[] lanes = acc.toArray();
    for (; i + 3 < n; i += 4) {
      for (int j = 0; j < 4; j++) {
        float e = Softmax.expNonPositive(src[srcOff + i + j] - shift);
        if (dst != null) {
          dst[dstOff + i + j] = e;
        }
        lanes[j] += e;
      }
    }
    for (; i < n; i++) {
      float e = Softmax.expNonPositive(src[srcOff + i] - shift);
      if (dst != null) {
        dst[dstOff + i] = e;
      }
      lanes[0] += e;
    }
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  }

  /** The lanes of {@link Softmax#expNonPositive}{@code (v - shift)}. */
  private static FloatVector exp(FloatVector x, float shift) {
    FloatVector v = x.sub(shift).max(Softmax.EXP_FLOOR);
    FloatVector t = v.mul(Softmax.LOG2E).add(Softmax.ROUND);
    FloatVector n2 = t.sub(Softmax.ROUND);
    FloatVector r = v.sub(n2.mul(Softmax.LN2_HIGH));
    r = r.sub(n2.mul(Softmax.LN2_LOW));
    FloatVector p = r.mul(Softmax.P0).add(Softmax.P1);
    p = p.mul(r).add(Softmax.P2);
    p = p.mul(r).add(Softmax.P3);
    p = p.mul(r).add(Softmax.P4);
    p = p.mul(r).add(Softmax.P5);
    FloatVector e = p.mul(r.mul(r)).add(r).add(1f);
    IntVector exponent = ((IntVector) t.reinterpretAsInts())
        .add(Softmax.EXPONENT_BIAS_MINUS_ROUND).lanewise(VectorOperators.LSHL, 23);
    return e.mul(exponent.reinterpretAsFloats());
  }
}
