package dev.rnnlm.bench;

import dev.rnnlm.linalg.BreezeMatrices;
import dev.rnnlm.linalg.RowMajor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The four batched products of one partition's step, each by direct BLAS into the kernel's buffer
 * ({@link RowMajor}) and through Breeze's product ({@link BreezeMatrices}: a new matrix, then added
 * into the buffer). Shapes are the book's share of a partition (B' = 16, T = 35, H = 512) with
 * V = 28 (characters) or 10,000 (words). Run: {@code scripts/jmh.sh ProductBenchmark} (which runs
 * KernelBenchmark too, the kernel these products are a share of).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ProductBenchmark {
  @Param({"28", "10000"})
  int vocab;
  @Param({"direct", "breeze"})
  String via;

  private static final int ROWS = 16 * 35;
  private static final int H = 512;
  private float[] hs;
  private float[] logits;
  private float[] whq;
  private float[] da;
  private float[] gradWhq;
  private float[] gradWhh;

  @Setup
  public void setUp() {
    SplittableRandom r = new SplittableRandom(3);
    hs = random(r, (ROWS + 16) * H);
    logits = random(r, ROWS * vocab);
    whq = random(r, H * vocab);
    da = random(r, ROWS * H);
    gradWhq = new float[H * vocab];
    gradWhh = new float[H * H];
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  private void gemm(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, float[] b,
                    int bOff, float beta, float[] c, int cOff) {
    if (via.equals("direct")) {
      RowMajor.gemm(ta, tb, m, n, k, 1f, a, aOff, b, bOff, beta, c, cOff);
    } else {
      BreezeMatrices.gemm(ta, tb, m, n, k, a, aOff, b, bOff, beta, c, cOff);
    }
  }

  /** O(rows, V) += H_{1..T}(rows, H) W_hq(H, V). */
  @Benchmark
  public float outputLayer() {
    gemm(false, false, ROWS, vocab, H, hs, 16 * H, whq, 0, 1f, logits, 0);
    return logits[0];
  }

  /** dW_hq(H, V) += H^T(H, rows) dO(rows, V). */
  @Benchmark
  public float gradientOfOutputWeights() {
    gemm(true, false, H, vocab, ROWS, hs, 16 * H, logits, 0, 1f, gradWhq, 0);
    return gradWhq[0];
  }

  /** G(rows, H) = dO(rows, V) W_hq^T(V, H). */
  @Benchmark
  public float gradientOfStates() {
    gemm(false, true, ROWS, H, vocab, logits, 0, whq, 0, 0f, da, 0);
    return da[0];
  }

  /** dW_hh(H, H) += H_{0..T-1}^T(H, rows) dA(rows, H). */
  @Benchmark
  public float gradientOfRecurrentWeights() {
    gemm(true, false, H, H, ROWS, hs, 0, da, 0, 1f, gradWhh, 0);
    return gradWhh[0];
  }
}
