package dev.rnnlm.bench;

import dev.rnnlm.model.Softmax;
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
 * The output layer's softmax cross-entropy over one partition's window of logits, (rows, vocab),
 * after the products: with the gradient (training) and without (scoring). The rows are refilled
 * from a saved copy before each call, since the gradient replaces them. Run:
 * {@code scripts/jmh.sh SoftmaxBenchmark} (with {@code -jvmArgsAppend -Drnnlm.native=false} for
 * the Java loops alone).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SoftmaxBenchmark {
  /** One partition's share of the word configuration: B' = 10 windows of T = 35. */
  @Param({"350"})
  int rows;
  @Param({"13777"})
  int vocab;

  private float[] saved;
  private float[] logits;
  private float[] bias;
  private float[] biasGradient;
  private int[] targets;

  @Setup
  public void setUp() {
    SplittableRandom r = new SplittableRandom(3);
    saved = new float[rows * vocab];
    for (int i = 0; i < saved.length; i++) {
      saved[i] = (float) (r.nextGaussian() * 3);
    }
    logits = saved.clone();
    bias = new float[vocab];
    biasGradient = new float[vocab];
    targets = new int[rows];
    for (int i = 0; i < rows; i++) {
      targets[i] = r.nextInt(vocab);
    }
  }

  @Benchmark
  public double training() {
    System.arraycopy(saved, 0, logits, 0, saved.length);
    return Softmax.crossEntropy(logits, rows, vocab, bias, 0, targets, biasGradient, 0);
  }

  @Benchmark
  public double scoring() {
    System.arraycopy(saved, 0, logits, 0, saved.length);
    return Softmax.crossEntropy(logits, rows, vocab, targets, false);
  }
}
