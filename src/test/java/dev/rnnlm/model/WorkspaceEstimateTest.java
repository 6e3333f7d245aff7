package dev.rnnlm.model;

import static dev.rnnlm.model.Fixtures.gaussian;
import static dev.rnnlm.model.Fixtures.tokens;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The memory estimate's workspace per task is the model's {@link LanguageModel#workspaceFloats}:
 * measured on a fresh thread (whose per-thread buffers start empty), what one forward and backward
 * allocates is covered by it and not far below it, for every kind of model: a 3-layer LSTM with
 * dropout needs several times the one-layer rnn's formula, which is what the estimate used to
 * count for every model.
 */
class WorkspaceEstimateTest {

  @ParameterizedTest(name = "{0}, {1} layer(s), hidden {2}, dropout {3}, embedding {4}, tied {5}, cutoffs {6}")
  @CsvSource({"rnn, 1, 64, 0, 0, false, ''", "lstm, 3, 64, 0.2, 0, false, ''",
      "gru, 2, 48, 0.2, 32, false, ''", "lstm, 2, 64, 0.2, 64, true, ''",
      "lstm, 2, 64, 0.2, 64, false, 100;300", "lstm, 2, 64, 0.2, 64, true, 100;300"})
  void whatOneWindowAllocatesIsCoveredByTheModelsWorkspaceEstimate(
      String cell, int layers, int hidden, float dropout, int embedding, boolean tied, String cutoffs)
      throws Exception {
    List<Integer> bounds = cutoffs.isEmpty() ? List.of()
        : Arrays.stream(cutoffs.split(";")).map(Integer::valueOf).toList();
    int v = 1_000;
    int batch = 16;
    int steps = 35;
    LanguageModel model = LanguageModels.create(cell, v, hidden, layers, dropout, embedding, tied,
        bounds);
    float[] params = gaussian(model.layout().size(), 0.1, 1);
    float[] grad = new float[params.length];
    float[] state = new float[batch * model.stateSize()];
    int[] inputs = tokens(batch * steps, v, 2);
    int[] targets = tokens(batch * steps, v, 3);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // Classes, the BLAS and the JIT come first, on another thread: what loading and compiling
    // allocate once is not the window's workspace.
    Thread warmUp = new Thread(() -> {
      for (int i = 0; i < 300; i++) {
        model.lossAndGradient(params, inputs, targets, batch, steps, state.clone(), grad.clone(), 7);
      }
    });
    warmUp.start();
    warmUp.join();
    AtomicLong allocated = new AtomicLong();
    Thread fresh = new Thread(() -> {
      long before = threads.getCurrentThreadAllocatedBytes();
      model.lossAndGradient(params, inputs, targets, batch, steps, state, grad, 7);
      allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
    });
    fresh.start();
    fresh.join();
    long estimate = 4 * model.workspaceFloats(batch, steps);
    assertTrue(allocated.get() <= estimate * 1.05 + 64 * 1024,
        "allocated " + allocated.get() + " bytes, estimate " + estimate);
    assertTrue(allocated.get() >= estimate * 0.85,
        "allocated " + allocated.get() + " bytes, estimate " + estimate + ": the estimate counts arrays that are not there");
  }
}
