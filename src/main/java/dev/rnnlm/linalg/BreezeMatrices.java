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
 * calls the same netlib {@code sgemm} as {@link RowMajor} (the same bits), but returns a new
 * matrix: the training kernel's batched products, which write or accumulate into preallocated
 * buffers, call {@link RowMajor} because that allocation and copy cost more than 3% of the
 * kernel (the measured costs are listed there; {@code bench.ProductBenchmark} measures them).
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
   * Breeze: the product is allocated, then added into {@code c}.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                          float[] b, int bOff, float beta, float[] c, int cOff) {
    DenseMatrix<Object> opA = transA ? rowMajorTransposed(a, aOff, k, m) : rowMajor(a, aOff, m, k);
    DenseMatrix<Object> opB = transB ? rowMajorTransposed(b, bOff, n, k) : rowMajor(b, bOff, k, n);
    DenseMatrix<Object> product = times(opA, opB);
    float[] p = (float[]) product.data();
    int stride = product.majorStride();
    boolean rowMajorResult = product.isTranspose();
    for (int i = 0; i < m; i++) {
      int row = cOff + i * n;
      for (int j = 0; j < n; j++) {
        float v = rowMajorResult ? p[product.offset() + i * stride + j] : p[product.offset() + i + j * stride];
        c[row + j] = beta == 0f ? v : beta * c[row + j] + v;
      }
    }
  }
}
