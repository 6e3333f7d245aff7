package dev.rnnlm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.SplittableRandom;

/** Inputs and comparisons shared by the cell tests. */
final class Fixtures {
  private Fixtures() {}

  /** Gaussian float32 values, so production and reference see exactly the same numbers. */
  static float[] gaussian(int n, double std, long seed) {
    Random r = new Random(seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (r.nextGaussian() * std);
    }
    return f;
  }

  static int[] tokens(int n, int vocab, long seed) {
    Random r = new Random(seed);
    int[] x = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextInt(vocab);
    }
    return x;
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static double norm(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** ||a - b|| / max(||a||, ||b||). */
  static double relativeError(double[] a, double[] b) {
    assertEquals(a.length, b.length, "length");
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += (a[i] - b[i]) * (a[i] - b[i]);
    }
    double scale = Math.max(norm(a), norm(b));
    return scale == 0 ? 0 : Math.sqrt(d) / scale;
  }

  static double relativeError(double a, double b) {
    double scale = Math.max(Math.abs(a), Math.abs(b));
    return scale == 0 ? 0 : Math.abs(a - b) / scale;
  }

  /**
   * The dropout masks {@link StackedModel}'s Javadoc specifies, written from that text: layer l
   * uses the l-th split() of SplittableRandom(seed); element i is kept (1 / (1 - p)) when its
   * 32 bits (low then high half of each nextLong) are at least p * 2^32, else 0.
   */
  static double[][] dropoutMasks(long seed, int layers, int count, float p) {
    int[] counts = new int[layers];
    java.util.Arrays.fill(counts, count);
    return dropoutMasks(seed, counts, p);
  }

  /** Masks as documented by StackedModel: mask l of {@code counts[l]} from the l-th split. */
  static double[][] dropoutMasks(long seed, int[] counts, float p) {
    SplittableRandom root = new SplittableRandom(seed);
    double[][] masks = new double[counts.length][];
    long threshold = (long) Math.ceil(p * 4294967296.0);
    for (int l = 0; l < counts.length; l++) {
      SplittableRandom random = root.split();
      int count = counts[l];
      masks[l] = new double[count];
      long bits = 0;
      for (int i = 0; i < count; i++) {
        long draw;
        if (i % 2 == 0) {
          bits = random.nextLong();
          draw = bits & 0xFFFFFFFFL;
        } else {
          draw = bits >>> 32;
        }
        masks[l][i] = draw >= threshold ? 1f / (1f - p) : 0;
      }
    }
    return masks;
  }
}
