package dev.rnnlm.model;

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

  /** {@code dst[dstOff + i] = exp(src[srcOff + i] - shift)} for i < n, each element <= 0 after the shift. */
  static void expShifted(float[] src, int srcOff, float shift, float[] dst, int dstOff, int n) {
    int i = 0;
    int bound = FLOATS.loopBound(n);
    for (; i < bound; i += FLOATS.length()) {
      FloatVector v = FloatVector.fromArray(FLOATS, src, srcOff + i).sub(shift)
          .max(Softmax.EXP_FLOOR);
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
      e.mul(exponent.reinterpretAsFloats()).intoArray(dst, dstOff + i);
    }
    for (; i < n; i++) {
      dst[dstOff + i] = Softmax.expNonPositive(src[srcOff + i] - shift);
    }
  }
}
