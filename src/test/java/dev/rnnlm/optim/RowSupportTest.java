package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class RowSupportTest {

  private static List<int[]> ranges(RowSupport s, int length) {
    List<int[]> out = new ArrayList<>();
    s.forEachRange(length, (from, to) -> out.add(new int[] {from, to}));
    return out;
  }

  @Test
  void rangesAreThePartsOutsideTheTableAndTheKeptRowsJoined() {
    // a table of 6 rows of 3 floats at offset 2, in a vector of 25: rows 4, 1, 2, 1 kept
    RowSupport s = RowSupport.ofIds(2, 3, 6, new int[] {4, 1, 2, 1});
    List<int[]> r = ranges(s, 25);
    assertEquals(4, r.size());
    assertArrayEquals(new int[] {0, 2}, r.get(0));
    assertArrayEquals(new int[] {5, 11}, r.get(1));    // rows 1 and 2 joined
    assertArrayEquals(new int[] {14, 17}, r.get(2));   // row 4
    assertArrayEquals(new int[] {20, 25}, r.get(3));
    assertEquals(3, s.rowsKept());
    assertEquals(25 - 3 * 3, s.floatsKept(25));
  }

  @Test
  void unionKeepsEveryRowOfEither() {
    RowSupport a = RowSupport.ofIds(0, 2, 10, new int[] {7, 1, 3});
    RowSupport b = RowSupport.ofIds(0, 2, 10, new int[] {3, 9, 0});
    List<int[]> r = ranges(a.union(b), 20);
    assertEquals(List.of("0-4", "6-8", "14-16", "18-20"),
        r.stream().map(x -> x[0] + "-" + x[1]).toList());
    assertThrows(IllegalArgumentException.class,
        () -> a.union(RowSupport.ofIds(0, 3, 10, new int[] {1})));
    assertThrows(IllegalArgumentException.class, () -> RowSupport.ofIds(0, 2, 10, new int[] {10}));
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToRawIntBits(a[i]);
    }
    return b;
  }

  /**
   * A vector zero outside its support: the norm and the scaling over the support alone are the
   * bits of the whole vector's, for tables at unaligned offsets and widths and vector lengths that
   * are not multiples of 4 (the norm's partial sums and its tail).
   */
  @Tag("bit-identity")
  @Test
  void scaledNormOverTheSupportEqualsTheWholeVectorsBitForBit() {
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int offset = random.nextInt(7);
      int width = 1 + random.nextInt(6);
      int rows = 1 + random.nextInt(12);
      int length = offset + rows * width + random.nextInt(7);
      int[] ids = new int[random.nextInt(rows + 1)];
      for (int k = 0; k < ids.length; k++) {
        ids[k] = random.nextInt(rows);
      }
      RowSupport support = RowSupport.ofIds(offset, width, rows, ids);
      float[] g = new float[length];
      support.forEachRange(length, (from, to) -> {
        for (int i = from; i < to; i++) {
          g[i] = (float) random.nextGaussian();
        }
      });
      float[] dense = g.clone();
      float[] sparse = g.clone();
      double a = GradientClipping.scaledNorm(dense, 0.37f);
      double b = GradientClipping.scaledNorm(sparse, 0.37f, support);
      assertEquals(a, b, 0.0, "trial " + trial);
      assertArrayEquals(bits(dense), bits(sparse), "trial " + trial);
    }
  }

  /** SGD without weight decay skips the zero rows with the same bits; Adam updates every row. */
  @Tag("bit-identity")
  @Test
  void sgdUpdatesOnlyTheSupportAndAdamEveryRow() {
    RowSupport support = RowSupport.ofIds(3, 4, 5, new int[] {0, 3});
    int n = 3 + 5 * 4 + 2;
    float[] grad = new float[n];
    support.forEachRange(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        grad[i] = 0.1f * (i + 1);
      }
    });
    for (String name : List.of("sgd", "adam")) {
      float[] dense = new float[n];
      java.util.Arrays.fill(dense, 0.5f);
      float[] sparse = dense.clone();
      Optimizer a = Optimizers.create(name, OptimizerSettings.DEFAULTS, n);
      Optimizer b = Optimizers.create(name, OptimizerSettings.DEFAULTS, n);
      float[] everywhere = new float[n];
      java.util.Arrays.fill(everywhere, -0.2f);
      a.apply(dense, everywhere, 1f, 0.1f, null);   // Adam's moments are now non-zero everywhere
      b.apply(sparse, everywhere, 1f, 0.1f, null);
      for (int step = 0; step < 3; step++) {
        a.apply(dense, grad, 0.5f, 0.1f, null);
        b.apply(sparse, grad, 0.5f, 0.1f, support);
      }
      assertArrayEquals(bits(dense), bits(sparse), name);
    }
  }
}
