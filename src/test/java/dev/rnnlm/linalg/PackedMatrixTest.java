package dev.rnnlm.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PackedMatrixTest {

  /**
   * Shapes (m, k, n): the book's recurrent product, rows that are not a multiple of the 6-row
   * tile, widths that are not a multiple of the 16-column panel, k across the 256 k-block.
   */
  private static final int[][] SHAPES = {
      {16, 512, 512}, {1, 1, 1}, {5, 3, 17}, {7, 33, 16}, {13, 300, 40}, {6, 257, 31},
      {32, 64, 64}, {11, 512, 100}};

  /** The native kernel where this host has it, and always the BLAS fallback. */
  private static List<PackedMatrix> implementations() {
    return PackedMatrix.isNative()
        ? List.of(new PackedMatrix(true), new PackedMatrix(false))
        : List.of(new PackedMatrix(false));
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void productsEqualDoublePrecisionReferenceForPlainAndTransposedMatrices(PackedMatrix packed) {
    SplittableRandom random = new SplittableRandom(7);
    for (int[] shape : SHAPES) {
      for (boolean transposed : new boolean[] {false, true}) {
        int m = shape[0];
        int k = shape[1];
        int n = shape[2];
        // Offsets inside larger arrays, as in the kernel (H_{t-1} and H_t in one array).
        int srcOffset = 3;
        float[] src = randomArray(random, srcOffset + k * n + 2);
        int aOffset = 5;
        int cOffset = aOffset + m * k + 1;
        float[] ac = randomArray(random, cOffset + m * n + 4);
        float[] expected = ac.clone();
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double sum = ac[cOffset + i * n + j];
            for (int p = 0; p < k; p++) {
              float mpj = transposed ? src[srcOffset + j * k + p] : src[srcOffset + p * n + j];
              sum += (double) ac[aOffset + i * k + p] * mpj;
            }
            expected[cOffset + i * n + j] = (float) sum;
          }
        }

        packed.pack(src, srcOffset, k, n, transposed);
        packed.multiplyAdd(m, ac, aOffset, ac, cOffset);

        String where = packed + " m=" + m + " k=" + k + " n=" + n + " transposed=" + transposed;
        for (int i = 0; i < ac.length; i++) {
          boolean inC = i >= cOffset && i < cOffset + m * n;
          if (inC) {
            // float32 sums of k products of values in [-1, 1]: error grows with sqrt(k).
            assertEquals(expected[i], ac[i], 2e-6 * Math.sqrt(k) * 4, where + " at " + i);
          } else {
            assertEquals(expected[i], ac[i], 0f, where + ": wrote outside C at " + i);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void repackingReplacesTheMatrixAndShrinksWithoutStaleColumns(PackedMatrix packed) {
    SplittableRandom random = new SplittableRandom(11);
    packed.pack(randomArray(random, 64 * 64), 0, 64, 64, false);
    float[] identity = new float[20 * 20];
    for (int i = 0; i < 20; i++) {
      identity[i * 20 + i] = 1f;
    }
    packed.pack(identity, 0, 20, 20, false);
    float[] a = randomArray(random, 3 * 20);
    float[] c = new float[3 * 20];
    packed.multiplyAdd(3, a, 0, c, 0);
    for (int i = 0; i < c.length; i++) {
      assertEquals(a[i], c[i], 0f, "A I must equal A at " + i);
    }
  }

  @Test
  void outOfBoundsOperandsAreRejectedBeforeAnyNativeCall() {
    PackedMatrix packed = new PackedMatrix();
    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> packed.pack(new float[10], 0, 4, 4, false));
    assertTrue(tooSmall.getMessage().contains("(4, 4)"), tooSmall.getMessage());
    packed.pack(new float[16], 0, 4, 4, false);
    assertThrows(IllegalArgumentException.class,
        () -> packed.multiplyAdd(2, new float[7], 0, new float[8], 0));
    assertThrows(IllegalArgumentException.class,
        () -> packed.multiplyAdd(2, new float[8], 0, new float[8], 1));
    assertThrows(IllegalStateException.class,
        () -> new PackedMatrix().multiplyAdd(1, new float[1], 0, new float[1], 0));
  }

  /** The build compiles the kernel wherever gcc runs; on an AVX2 x86-64 Linux it must be used. */
  @Test
  void nativeKernelIsUsedOnAvx2LinuxHosts() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    boolean avx2Host = System.getProperty("os.arch").equals("amd64") && Files.exists(cpuinfo)
        && Files.readString(cpuinfo).contains(" avx2") && Files.readString(cpuinfo).contains(" fma");
    if (avx2Host) {
      assertTrue(PackedMatrix.isNative(), PackedMatrix.implementation());
      assertEquals("native AVX2 panels", PackedMatrix.implementation());
    } else {
      assertTrue(PackedMatrix.implementation().startsWith("BLAS ("), PackedMatrix.implementation());
    }
  }

  private static float[] randomArray(SplittableRandom random, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return a;
  }
}
