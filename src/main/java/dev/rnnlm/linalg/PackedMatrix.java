package dev.rnnlm.linalg;

/**
 * A matrix {@code op(M)} of shape {@code (k, n)} prepared once for many products
 * {@code C(m, n) += A(m, k) op(M)} with few rows, e.g. the T recurrent products of one BPTT
 * window batch with {@code W_hh} (forward) or {@code W_hh^T} (backward).
 *
 * <p>With the native kernels ({@link #isNative()}) the matrix is copied into 16-column panels
 * once, which a general BLAS would redo on every call (AVX-512 tiles where the CPU has them, else
 * AVX2 tiles: the same bits); otherwise the products go to BLAS
 * ({@link RowMajor#gemm}) on the source array, which must then stay unchanged between
 * {@link #pack} and the products. Reusable: {@link #pack} again for the next matrix. One
 * instance per thread.
 */
public final class PackedMatrix {
  private static final int PANEL = 16;

  private final boolean useNative;
  private final boolean avx512;
  private float[] panels = new float[0];
  private float[] source;
  private int sourceOffset;
  private boolean transposed;
  private int k;
  private int n;

  /** Uses the native kernel when it is available ({@link #isNative()}), else BLAS. */
  public PackedMatrix() {
    this(isNative());
  }

  /** {@code useNative}: the native kernel (must be available) or BLAS; tests compare both. */
  PackedMatrix(boolean useNative) {
    this(useNative, useNative && NativeKernels.avx512());
  }

  /**
   * {@code useNative} as above; {@code avx512}: its AVX-512 tiles (the CPU must have them) or its
   * AVX2 tiles, whatever {@code -Drnnlm.avx512} says; tests compare both.
   */
  PackedMatrix(boolean useNative, boolean avx512) {
    if (useNative && !isNative()) {
      throw new IllegalStateException("native kernel unavailable: " + implementation());
    }
    if (avx512 && !(useNative && NativeKernels.avx512Supported())) {
      throw new IllegalStateException("AVX-512 tiles unavailable: " + implementation());
    }
    this.useNative = useNative;
    this.avx512 = avx512;
  }

  /**
   * An instance that never copies the matrix: every product goes to BLAS on the source array
   * (which must stay unchanged between {@link #pack} and the products). For a matrix used in a
   * single product, e.g. one generation step, where packing would cost more than it saves.
   */
  public static PackedMatrix unpacked() {
    return new PackedMatrix(false);
  }

  /**
   * Prepares {@code op(M)}: M is the row-major {@code (k, n)} block of {@code src} at
   * {@code offset}, or the {@code (n, k)} block when {@code transposed} (then op(M) = M^T).
   */
  public void pack(float[] src, int offset, int k, int n, boolean transposed) {
    if (k < 1 || n < 1 || offset < 0 || (long) offset + (long) k * n > src.length) {
      throw new IllegalArgumentException("matrix (" + k + ", " + n + ") at " + offset
          + " does not fit an array of " + src.length);
    }
    this.source = src;
    this.sourceOffset = offset;
    this.transposed = transposed;
    this.k = k;
    this.n = n;
    if (useNative) {
      int size = (n + PANEL - 1) / PANEL * PANEL * k;
      if (panels.length < size) {
        panels = new float[size];
      }
      NativeKernels.pack(src, offset, k, n, transposed, panels);
    }
  }

  /** {@code C(m, n) += A(m, k) op(M)}; A at {@code aOffset}, C at {@code cOffset}, row-major. */
  public void multiplyAdd(int m, float[] a, int aOffset, float[] c, int cOffset) {
    if (source == null) {
      throw new IllegalStateException("multiplyAdd before pack");
    }
    if (m < 0 || aOffset < 0 || cOffset < 0 || (long) aOffset + (long) m * k > a.length
        || (long) cOffset + (long) m * n > c.length) {
      throw new IllegalArgumentException("product of (" + m + ", " + k + ") at " + aOffset
          + " into (" + m + ", " + n + ") at " + cOffset + " exceeds arrays of " + a.length
          + " and " + c.length);
    }
    if (m == 0) {
      return;
    }
    if (useNative) {
      NativeKernels.multiplyAdd(m, n, k, a, aOffset, panels, c, cOffset, avx512);
    } else {
      RowMajor.gemm(false, transposed, m, n, k, 1f, a, aOffset, source, sourceOffset,
          1f, c, cOffset);
    }
  }

  /** What this instance multiplies with: "native AVX-512", "native AVX2" or "BLAS". */
  @Override
  public String toString() {
    return !useNative ? "BLAS" : avx512 ? "native AVX-512" : "native AVX2";
  }

  /** Whether new instances run products on the native panel kernel (else on BLAS). */
  public static boolean isNative() {
    return NativeKernels.available();
  }

  /**
   * What decides the bits of new instances' products: "native panels" (either tile set), or
   * "BLAS (reason the native kernel is not used)".
   */
  public static String arithmetic() {
    return isNative() ? "native panels" : "BLAS (" + NativeKernels.unavailableReason() + ")";
  }

  /**
   * What new instances multiply with: "native AVX-512 panels", "native AVX2 panels" (no AVX-512,
   * or -Drnnlm.avx512=false), or "BLAS (reason the native kernel is not used)".
   */
  public static String implementation() {
    if (!isNative()) {
      return "BLAS (" + NativeKernels.unavailableReason() + ")";
    }
    return NativeKernels.avx512() ? "native AVX-512 panels" : "native AVX2 panels";
  }
}
