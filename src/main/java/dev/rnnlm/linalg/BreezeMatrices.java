package dev.rnnlm.linalg;

import breeze.linalg.DenseMatrix;
import breeze.linalg.operators.HasOps$;

/**
 * Row-major blocks of a flat {@code float[]} (the parameters, a gradient, a workspace) as Breeze
 * matrices, without copying, and products through Breeze's operations.
 *
 * <p>A row-major {@code (rows, cols)} block at {@code offset} is Breeze's
 * {@code DenseMatrix(rows, cols, data, offset, cols, isTranspose = true)}; its transpose is the
 * column-major {@code DenseMatrix(cols, rows, data, offset, cols, false)}. Breeze's float product
 * calls netlib's {@code sgemm}, as {@link RowMajor} does, but returns a new matrix: the training
 * kernel's batched products, which write or accumulate into preallocated buffers, call
 * {@link RowMajor} because that allocation and copy cost more than 3% of the kernel (the measured
 * costs are listed there; {@code bench.ProductBenchmark} measures them).
 *
 * <p>The same bits as {@link RowMajor} need the same {@code sgemm} call, not only the same
 * product: BLAS promises no summation order, and OpenBLAS's kernels order the {@code k} products
 * of an element by where the operands land in their tiles. Its generic SSE3 kernel ("Prescott",
 * chosen on CPUs that Debian's OpenBLAS 0.3.21 does not know) sums {@code A B} computed as
 * {@code sgemm(A, B)} and as {@code (B^T A^T)^T = sgemm(B^T, A^T)} in different orders, one
 * rounding apart; its Haswell kernel happens not to. So {@link #gemm} asks Breeze for the product
 * in {@link RowMajor}'s layout.
 */
public final class BreezeMatrices {
  private BreezeMatrices() {}

  /** The row-major {@code (rows, cols)} block of {@code data} at {@code offset}. */
  public static DenseMatrix<Object> rowMajor(float[] data, int offset, int rows, int cols) {
    return new DenseMatrix<>(rows, cols, data, offset, cols, true);
  }

  /** The transpose of {@link #rowMajor}: a {@code (cols, rows)} view of the same floats. */
  public static DenseMatrix<Object> rowMajorTransposed(float[] data, int offset, int rows, int cols) {
    return new DenseMatrix<>(cols, rows, data, offset, cols, false);
  }

  /** {@code a * b} by Breeze's float product (a new column-major matrix). */
  public static DenseMatrix<Object> times(DenseMatrix<Object> a, DenseMatrix<Object> b) {
    return HasOps$.MODULE$.impl_OpMulMatrix_DM_DM_eq_DM_Float().apply(a, b);
  }

  /**
   * {@code C(m, n) = op(A) op(B) + beta * C}, all row-major as in {@link RowMajor#gemm}, through
   * Breeze: the product is allocated, then added into {@code c}. Breeze is asked for
   * {@code C^T (n, m) = op(B)^T op(A)^T}, whose column-major result is C row-major: Breeze then
   * calls {@code sgemm} with the operands, transpose flags and leading dimensions that
   * {@link RowMajor#gemm} passes, so with {@code beta = 0} both give the same bits on any BLAS.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                          float[] b, int bOff, float beta, float[] c, int cOff) {
    // op(B)^T (n, k): B stored (k, n) is its column-major view; B stored (n, k) is itself.
    DenseMatrix<Object> opBt = transB ? rowMajor(b, bOff, n, k) : rowMajorTransposed(b, bOff, k, n);
    // op(A)^T (k, m): likewise.
    DenseMatrix<Object> opAt = transA ? rowMajor(a, aOff, k, m) : rowMajorTransposed(a, aOff, m, k);
    DenseMatrix<Object> productT = times(opBt, opAt); // (n, m) column-major: C row-major
    float[] p = (float[]) productT.data();
    int stride = productT.majorStride();
    boolean rowMajorProduct = productT.isTranspose();
    for (int i = 0; i < m; i++) {
      int row = cOff + i * n;
      for (int j = 0; j < n; j++) {
        float v = rowMajorProduct ? p[productT.offset() + j * stride + i] : p[productT.offset() + j + i * stride];
        c[row + j] = beta == 0f ? v : beta * c[row + j] + v;
      }
    }
  }
}
