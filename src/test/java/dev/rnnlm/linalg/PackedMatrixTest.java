package dev.rnnlm.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** The native kernel's tiles this host runs (AVX2, AVX-512), and always the BLAS fallback. */
  private static List<PackedMatrix> implementations() {
    List<PackedMatrix> all = new ArrayList<>();
    if (PackedMatrix.isNative()) {
      all.add(new PackedMatrix(true, false));
      if (NativeKernels.avx512Supported()) {
        all.add(new PackedMatrix(true, true));
      }
    }
    all.add(new PackedMatrix(false));
    return all;
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

  /**
   * The build compiles the kernel wherever gcc runs; on an AVX2 x86-64 Linux it must be used, with
   * its AVX-512 tiles where the CPU has AVX-512F (unless -Drnnlm.avx512=false).
   */
  @Test
  void nativeKernelIsUsedOnAvx2LinuxHostsWithAvx512TilesOnAvx512Hosts() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    String flags = System.getProperty("os.arch").equals("amd64") && Files.exists(cpuinfo)
        ? Files.readString(cpuinfo) : "";
    boolean avx2Host = flags.contains(" avx2") && flags.contains(" fma");
    boolean avx512Host = avx2Host && flags.contains(" avx512f")
        && !"false".equalsIgnoreCase(System.getProperty("rnnlm.avx512"));
    if (avx2Host) {
      assertTrue(PackedMatrix.isNative(), PackedMatrix.implementation());
      assertEquals(avx512Host ? "native AVX-512 panels" : "native AVX2 panels",
          PackedMatrix.implementation());
      assertEquals(avx512Host ? "native AVX-512" : "native AVX2", new PackedMatrix().toString());
    } else {
      assertTrue(PackedMatrix.implementation().startsWith("BLAS ("), PackedMatrix.implementation());
    }
  }

  /**
   * The AVX-512 tiles (8 rows x 32 columns, masked last panel) must compute every element with
   * the same FMA chain as the AVX2 tiles (6 x 16, edge buffer): random shapes with rows that fit
   * neither tile height, widths that are not multiples of 16 or 32, k across the 256 k-block, and
   * the same offsets inside larger arrays; nothing outside C may change.
   */
  @Test
  void avx512TilesGiveBitIdenticalProductsToAvx2TilesForRandomShapes() {
    assumeTrue(PackedMatrix.isNative() && NativeKernels.avx512Supported(),
        "this CPU has no AVX-512F: " + PackedMatrix.implementation());
    PackedMatrix avx2 = new PackedMatrix(true, false);
    PackedMatrix avx512 = new PackedMatrix(true, true);
    SplittableRandom random = new SplittableRandom(13);
    List<int[]> shapes = new ArrayList<>(List.of(
        new int[] {16, 512, 512}, new int[] {8, 256, 32}, new int[] {9, 257, 33},
        new int[] {1, 1, 1}, new int[] {20, 600, 70}, new int[] {7, 513, 48},
        new int[] {17, 255, 15}, new int[] {16, 512, 47}));
    for (int i = 0; i < 200; i++) {
      shapes.add(new int[] {1 + random.nextInt(20), 1 + random.nextInt(600), 1 + random.nextInt(70)});
    }
    for (int[] shape : shapes) {
      int m = shape[0];
      int k = shape[1];
      int n = shape[2];
      boolean transposed = random.nextBoolean();
      int srcOffset = random.nextInt(8);
      float[] src = randomArray(random, srcOffset + k * n + random.nextInt(4));
      int aOffset = random.nextInt(8);
      int cOffset = aOffset + m * k + random.nextInt(4);
      float[] viaAvx2 = randomArray(random, cOffset + m * n + random.nextInt(4));
      float[] viaAvx512 = viaAvx2.clone();

      avx2.pack(src, srcOffset, k, n, transposed);
      avx2.multiplyAdd(m, viaAvx2, aOffset, viaAvx2, cOffset);
      avx512.pack(src, srcOffset, k, n, transposed);
      avx512.multiplyAdd(m, viaAvx512, aOffset, viaAvx512, cOffset);

      for (int i = 0; i < viaAvx2.length; i++) {
        if (Float.floatToRawIntBits(viaAvx2[i]) != Float.floatToRawIntBits(viaAvx512[i])) {
          fail("m=" + m + " k=" + k + " n=" + n
              + " transposed=" + transposed + ": AVX-512 differs from AVX2 at " + i
              + (i >= cOffset && i < cOffset + m * n ? " in C: " : " outside C: ") + viaAvx2[i]
              + " vs " + viaAvx512[i]);
        }
      }
    }
  }

  @Test
  void avx512TilesAreRefusedWithoutTheNativeKernelOrOnCpusWithoutThem() {
    assertThrows(IllegalStateException.class, () -> new PackedMatrix(false, true));
    if (!NativeKernels.avx512Supported()) {
      assertThrows(IllegalStateException.class, () -> new PackedMatrix(true, true));
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
