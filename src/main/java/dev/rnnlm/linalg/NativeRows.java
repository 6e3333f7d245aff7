package dev.rnnlm.linalg;

import java.util.Objects;

/**
 * The softmax's row passes in native code ({@code src/main/c/softmax_rows.c}, AVX2): each gives
 * exactly the bits of the scalar loops of {@code dev.rnnlm.model.Softmax} (its row maximum, bias
 * add and {@code expNonPositive} exponentials summed in four double lanes), so whether a row
 * goes through here changes only the time. Those loops are latency-bound and the JIT does not
 * vectorize the exponential's bit moves; at a vocabulary of tens of thousands they would cost
 * as much as the output layer's products.
 */
public final class NativeRows {
  /**
   * Rows shorter than this stay in Java: the call's fixed cost (pinning the arrays) is not
   * repaid by a character vocabulary's few dozen elements.
   */
  public static final int MIN_LENGTH = 128;

  private NativeRows() {}

  /** Whether the native library is loaded on a CPU that runs it. */
  public static boolean available() {
    return NativeKernels.available();
  }

  /** Math.max over {@code a[off, off + n)}; negative infinity for n = 0. */
  public static float max(float[] a, int off, int n) {
    Objects.checkFromIndexSize(off, n, a.length);
    return NativeKernels.rowMax(a, off, n);
  }

  /** {@code a[off + j] += bias[biasOff + j]} for j < n; returns Math.max over the new row. */
  public static float addAndMax(float[] a, int off, float[] bias, int biasOff, int n) {
    Objects.checkFromIndexSize(off, n, a.length);
    Objects.checkFromIndexSize(biasOff, n, bias.length);
    return NativeKernels.addAndMax(a, off, bias, biasOff, n);
  }

  /**
   * The sum of {@code exp(src[srcOff + i] - shift)}, i < n, each exponential stored into
   * {@code dst[dstOff + i]} when dst is not null (dst may be src at the same offset).
   */
  public static double expShiftedSum(float[] src, int srcOff, float shift, float[] dst,
                                     int dstOff, int n) {
    Objects.checkFromIndexSize(srcOff, n, src.length);
    if (dst != null) {
      Objects.checkFromIndexSize(dstOff, n, dst.length);
    }
    return NativeKernels.expShiftedSum(src, srcOff, shift, dst, dstOff, n);
  }
}
