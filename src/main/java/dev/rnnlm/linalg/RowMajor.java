package dev.rnnlm.linalg;

import dev.ludovic.netlib.blas.BLAS;

/**
 * float32 matrix products on row-major arrays with offsets, computed in place by the BLAS that
 * Breeze uses (netlib: native OpenBLAS when installed, else a pure-Java implementation). A
 * row-major {@code (m, n)} matrix is a column-major {@code (n, m)} matrix, so
 * {@code C = op(A) op(B)} becomes {@code C^T = op(B)^T op(A)^T} in BLAS terms.
 *
 * <p>The four batched products of the training kernel call this class rather than Breeze's
 * product ({@link BreezeMatrices}), because Breeze allocates each result and the kernel writes or
 * accumulates into preallocated buffers: the allocation and the extra add cost each product a
 * share of the kernel at the book's size and more than the product itself at word vocabularies
 * ({@code bench.ProductBenchmark}; the figures are in performance.md).
 */
public final class RowMajor {
  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  private RowMajor() {}

  /**
   * {@code C(m, n) = alpha * op(A) op(B) + beta * C}, all row-major. {@code op(A)} is
   * {@code (m, k)}: A is stored {@code (m, k)}, or {@code (k, m)} when {@code transA}.
   * {@code op(B)} is {@code (k, n)}: B is stored {@code (k, n)}, or {@code (n, k)} when
   * {@code transB}.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                          float alpha, float[] a, int aOff, float[] b, int bOff,
                          float beta, float[] c, int cOff) {
    gemm(transA, transB, m, n, k, alpha, a, aOff, transA ? m : k, b, bOff, transB ? k : n,
        beta, c, cOff, n);
  }

  /**
   * {@link #gemm(boolean, boolean, int, int, int, float, float[], int, float[], int, float, float[], int)}
   * on sub-matrices: consecutive rows of A, B and C start {@code lda}, {@code ldb} and {@code ldc}
   * floats apart (e.g. C is columns [j, j + n) of a wider matrix at {@code cOff = j}).
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                          float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k,
        alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
  }

  /** {@code y(n) = alpha * x(m) A(m, n) + beta * y}: a row vector times a row-major matrix. */
  public static void vecMat(int m, int n, float alpha, float[] x, int xOff, float[] a, int aOff,
                            float beta, float[] y, int yOff) {
    // Column-major view of A is (n, m); y = A_cm * x.
    BLAS_INSTANCE.sgemv("N", n, m, alpha, a, aOff, n, x, xOff, 1, beta, y, yOff, 1);
  }

  /** The BLAS implementation in use, e.g. "JNIBLAS" (native) or "VectorBLAS" (pure Java). */
  public static String implementation() {
    return BLAS_INSTANCE.getClass().getSimpleName();
  }

  /** Whether the BLAS is a native library rather than the pure-Java fallback. */
  public static boolean isNative() {
    return implementation().startsWith("JNI");
  }
}
