package dev.rnnlm.bench;

import dev.rnnlm.model.RnnModel;
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
 * The per-partition kernel: forward + BPTT of one step's windows, as one task runs it.
 * Defaults are one partition's share of the book's configuration on two task slots
 * (B' = 16 of B = 32, T = 35, H = 512, V = 28). Run: scripts/jmh.sh (src/site/markdown/performance.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class KernelBenchmark {
  @Param({"16"})
  int batch;
  @Param({"35"})
  int steps;
  @Param({"512"})
  int hidden;
  @Param({"28"})
  int vocab;

  private RnnModel model;
  private float[] params;
  private float[] grad;
  private float[] state;
  private int[] inputs;
  private int[] targets;

  @Setup
  public void setUp() {
    model = new RnnModel(vocab, hidden);
    params = new float[model.layout().size()];
    model.initialize(params, 1);
    grad = new float[params.length];
    state = new float[batch * hidden];
    SplittableRandom r = new SplittableRandom(2);
    inputs = new int[batch * steps];
    targets = new int[batch * steps];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = r.nextInt(vocab);
      targets[i] = r.nextInt(vocab);
    }
  }

  @Benchmark
  public double forwardBackward() {
    return model.lossAndGradient(params, inputs, targets, batch, steps, state, grad);
  }
}
