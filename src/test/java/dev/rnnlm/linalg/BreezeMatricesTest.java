package dev.rnnlm.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import breeze.linalg.DenseMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("bit-identity")
class BreezeMatricesTest {
  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  @Test
  void rowMajorViewsReadTheFlatArrayInPlaceWithoutCopying() {
    float[] data = {9, 9, 1, 2, 3, 4, 5, 6};
    DenseMatrix<Object> m = BreezeMatrices.rowMajor(data, 2, 2, 3);
    assertEquals(2, m.rows());
    assertEquals(3, m.cols());
    assertEquals(6f, (float) m.apply(1, 2));
    assertEquals(2f, (float) BreezeMatrices.rowMajorTransposed(data, 2, 2, 3).apply(1, 0));
    data[7] = 60;
    assertEquals(60f, (float) m.apply(1, 2), "a view, not a copy");
  }

  /**
   * The property holds on any BLAS because both paths make the same sgemm call; a product asked
   * of Breeze in its own layout (C = op(A) op(B) column-major) differs by a rounding on OpenBLAS's
   * generic SSE3 kernel. Shapes from one tile to many, odd edges included.
   */
  @Test
  void breezesProductsGiveTheSameBitsAsDirectBlasForEveryTransposeAndBeta() {
    SplittableRandom r = new SplittableRandom(5);
    int[][] shapes = {{7, 5, 11}, {1, 9, 3}, {33, 17, 65}, {70, 130, 200}};
    for (int[] shape : shapes) {
      int m = shape[0];
      int n = shape[1];
      int k = shape[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          for (float beta : new float[] {0f, 1f}) {
            float[] a = random(r, 3 + m * k);
            float[] b = random(r, 2 + k * n);
            float[] c0 = random(r, 4 + m * n);
            float[] direct = c0.clone();
            float[] breeze = c0.clone();
            RowMajor.gemm(ta, tb, m, n, k, 1f, a, 3, b, 2, beta, direct, 4);
            BreezeMatrices.gemm(ta, tb, m, n, k, a, 3, b, 2, beta, breeze, 4);
            String where = m + "x" + n + "x" + k + " transA " + ta + " transB " + tb;
            if (beta == 0f) {
              assertArrayEquals(direct, breeze, where);
            } else {
              // C + AB: BLAS may fuse the addition; agreement within float rounding of the sum.
              for (int i = 0; i < direct.length; i++) {
                assertEquals(direct[i], breeze[i], 1e-5f * (1 + Math.abs(direct[i])), where + " at " + i);
              }
            }
          }
        }
      }
    }
  }
}
