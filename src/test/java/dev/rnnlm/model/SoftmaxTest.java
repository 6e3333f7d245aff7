package dev.rnnlm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.linalg.NativeRows;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

  /** Distance in float ulps between a and b, both finite and positive. */
  private static int ulps(float a, float b) {
    return Math.abs(Float.floatToRawIntBits(a) - Float.floatToRawIntBits(b));
  }

  @Test
  void expOfNonPositiveIsWithinTwoUlpOfMathExpDownToTheSmallestNormal() {
    SplittableRandom r = new SplittableRandom(3);
    int worst = 0;
    for (int i = 0; i < 2_000_000; i++) {
      float x = i < 1000 ? -i * 0.0873f : (float) (-87.3 * r.nextDouble());
      int d = ulps((float) Math.exp(x), Softmax.expNonPositive(x));
      worst = Math.max(worst, d);
    }
    assertTrue(worst <= 2, "worst error " + worst + " ulp");
    assertEquals(1f, Softmax.expNonPositive(0f));
    assertEquals(1f, Softmax.expNonPositive(-0f));
    assertTrue(Float.isNaN(Softmax.expNonPositive(Float.NaN)));
    float floor = Softmax.expNonPositive(-87.3f);
    assertEquals(floor, Softmax.expNonPositive(-1000f), "below the floor: exp(-87.3)");
    assertEquals(floor, Softmax.expNonPositive(Float.NEGATIVE_INFINITY));
    assertTrue(floor > 0 && floor >= Float.MIN_NORMAL, "a normal float: " + floor);
  }

  /**
   * The array form (the path of short rows) gives the scalar function's bits for every element;
   * the native lanes are held to the same in fusedExpSumGivesTheScalarExponentialsAndSumBits.
   */
  @Tag("bit-identity")
  @Test
  void arrayExpGivesTheScalarFunctionsBitsForEveryElement() {
    SplittableRandom r = new SplittableRandom(4);
    for (int n : new int[] {1, 7, 8, 9, 31, 1000, 13_777}) {
      float[] src = new float[n + 3];
      for (int i = 0; i < src.length; i++) {
        src[i] = (float) (r.nextGaussian() * 30);
      }
      float shift = 90f;
      float[] dst = new float[n + 5];
      Softmax.expShifted(src, 3, shift, dst, 5, n);
      for (int i = 0; i < n; i++) {
        float want = Softmax.expNonPositive(src[3 + i] - shift);
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst[5 + i]),
            "n " + n + " element " + i);
      }
    }
  }

  /** Loss and gradient against a float64 softmax with Math.exp, the bias and its gradient included. */
  @Test
  void crossEntropyWithBiasMatchesAFloat64SoftmaxAndAddsTheBiasGradient() {
    SplittableRandom r = new SplittableRandom(5);
    int rows = 6;
    int cols = 1001;
    float[] logits = new float[rows * cols];
    float[] bias = new float[cols + 2];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (r.nextGaussian() * 4);
    }
    for (int j = 0; j < bias.length; j++) {
      bias[j] = (float) r.nextGaussian();
    }
    int[] targets = {0, 5, 1000, 17, 5, 999};
    float[] original = logits.clone();
    float[] biasGradient = new float[cols + 1];
    biasGradient[1] = 0.5f;   // added to, not overwritten
    double loss = Softmax.crossEntropy(logits, rows, cols, bias, 2, targets, biasGradient, 1);

    double want = 0;
    double[] wantBias = new double[cols];
    for (int row = 0; row < rows; row++) {
      double max = Double.NEGATIVE_INFINITY;
      double[] o = new double[cols];
      for (int j = 0; j < cols; j++) {
        o[j] = (double) original[row * cols + j] + bias[2 + j];
        max = Math.max(max, o[j]);
      }
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        sum += Math.exp(o[j] - max);
      }
      want += max + Math.log(sum) - o[targets[row]];
      for (int j = 0; j < cols; j++) {
        double g = Math.exp(o[j] - max) / sum - (j == targets[row] ? 1 : 0);
        assertEquals(g, logits[row * cols + j], 1e-6, "gradient row " + row + " column " + j);
        wantBias[j] += g;
      }
    }
    assertEquals(want, loss, 1e-6 * want);
    assertEquals(0.5 + wantBias[0], biasGradient[1], 1e-5);
    for (int j = 1; j < cols; j++) {
      assertEquals(wantBias[j], biasGradient[1 + j], 1e-5, "bias gradient " + j);
    }

    // Without a bias gradient: the same loss, and the rows keep the biased logits.
    float[] forward = original.clone();
    double forwardLoss = Softmax.crossEntropy(forward, rows, cols, bias, 2, targets, null, 0);
    assertEquals(loss, forwardLoss);
    assertEquals(original[7] + bias[2 + 7], forward[7]);
  }

  /**
   * The native row maximum and bias add give the scalar loops' bits: lengths across the
   * vector width and tails, a vocabulary-sized row, signed zeros, a NaN and wide magnitudes.
   */
  @Tag("bit-identity")
  @Test
  void nativeRowReductionsGiveTheScalarLoopsBits() {
    assertTrue(NativeRows.available(), "the native kernels load on this host");
    SplittableRandom r = new SplittableRandom(5);
    int[] lengths = new int[70];
    for (int n = 0; n < 69; n++) {
      lengths[n] = n;
    }
    lengths[69] = 13_777;
    for (int n : lengths) {
      for (int variant = 0; variant < 4; variant++) {
        int off = r.nextInt(3);
        float[] a = new float[off + n];
        float[] bias = new float[off + n];
        for (int j = 0; j < a.length; j++) {
          a[j] = (float) (r.nextGaussian() * 8);
          bias[j] = (float) r.nextGaussian();
        }
        if (variant == 1 && n > 0) {   // all zeros of both signs: max must be +0.0 as Math.max says
          for (int j = off; j < off + n; j++) {
            a[j] = r.nextBoolean() ? 0f : -0f;
            bias[j] = -0f;
          }
        }
        if (variant == 2 && n > 0) {
          a[off + r.nextInt(n)] = Float.NaN;
        }
        if (variant == 3) {   // magnitudes 2^-40 .. 2^40
          for (int j = off; j < off + n; j++) {
            a[j] = (float) Math.scalb(r.nextGaussian(), r.nextInt(81) - 40);
          }
        }
        String where = "n " + n + ", variant " + variant;
        assertEquals(Float.floatToRawIntBits(Softmax.scalarMax(a, off, n)),
            Float.floatToRawIntBits(NativeRows.max(a, off, n)), "max, " + where);
        float[] scalar = a.clone();
        float[] inNative = a.clone();
        float scalarMax = Softmax.scalarAddAndMax(scalar, off, bias, off, n);
        float nativeMax = NativeRows.addAndMax(inNative, off, bias, off, n);
        assertEquals(Float.floatToRawIntBits(scalarMax), Float.floatToRawIntBits(nativeMax),
            "addAndMax, " + where);
        for (int j = 0; j < a.length; j++) {
          assertEquals(Float.floatToRawIntBits(scalar[j]), Float.floatToRawIntBits(inNative[j]),
              "addAndMax element " + j + ", " + where);
        }
      }
    }
  }

  /**
   * The fused exponentials-and-sum gives the bits of the scalar exponentials summed by the scalar
   * loop, and stores the same exponentials when asked to: lengths across the vector widths and
   * the four-lane tails, and a vocabulary-sized row.
   */
  @Tag("bit-identity")
  @Test
  void fusedExpSumGivesTheScalarExponentialsAndSumBits() {
    assertTrue(NativeRows.available(), "the native kernels load on this host");
    SplittableRandom r = new SplittableRandom(8);
    for (int n = 0; n < 13_800; n = n < 70 ? n + 1 : n * 3 + 1) {
      int off = r.nextInt(3);
      float[] a = new float[off + n];
      for (int j = 0; j < a.length; j++) {
        a[j] = (float) (r.nextGaussian() * 6);
      }
      float shift = Softmax.scalarMax(a, off, n);
      float[] scalar = new float[n];
      for (int j = 0; j < n; j++) {
        scalar[j] = Softmax.expNonPositive(a[off + j] - shift);
      }
      double expected = Softmax.sum(scalar, 0, n);
      assertEquals(Double.doubleToRawLongBits(expected),
          Double.doubleToRawLongBits(NativeRows.expShiftedSum(a, off, shift, null, 0, n)), "n " + n);
      float[] stored = new float[n + 1];
      assertEquals(Double.doubleToRawLongBits(expected),
          Double.doubleToRawLongBits(NativeRows.expShiftedSum(a, off, shift, stored, 1, n)), "n " + n);
      for (int j = 0; j < n; j++) {
        assertEquals(Float.floatToRawIntBits(scalar[j]), Float.floatToRawIntBits(stored[j + 1]),
            "element " + j + " of " + n);
      }
    }
  }
}
