package dev.rnnlm.bench;

import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.LanguageModels;
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
 * {@link KernelBenchmark} for every cell type: forward + BPTT of one partition's windows
 * (B' = 16 of B = 32, T = 35, H = 512, V = 28 by default) through {@link LanguageModels#create}.
 * Tokens/s = batch * steps / time. scripts/bench-cells-torch.py times PyTorch's nn.LSTM/nn.GRU
 * on the same shape on one thread. Run: scripts/bench-cells.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class CellBenchmark {
  @Param({"rnn", "gru", "lstm"})
  String cell;
  @Param({"1"})
  int layers;
  @Param({"0"})
  float dropout;
  @Param({"16"})
  int batch;
  @Param({"35"})
  int steps;
  @Param({"512"})
  int hidden;
  @Param({"28"})
  int vocab;

  private LanguageModel model;
  private float[] params;
  private float[] grad;
  private float[] state;
  private int[] inputs;
  private int[] targets;
  private long dropoutSeed;

  @Setup
  public void setUp() {
    model = LanguageModels.create(cell, vocab, hidden, layers, dropout);
    params = new float[model.layout().size()];
    model.initialize(params, 1);
    grad = new float[params.length];
    state = new float[batch * model.stateSize()];
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
    return model.lossAndGradient(params, inputs, targets, batch, steps, state, grad,
        dropoutSeed++);
  }
}
