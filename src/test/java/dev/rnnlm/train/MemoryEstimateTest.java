package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.LanguageModels;
import dev.rnnlm.model.RnnModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemoryEstimateTest {
  private static final long GIB = 1L << 30;

  private static MemoryEstimate local(int vocab, int hidden, int batch, int partitions, int cores) {
    long n = new RnnModel(vocab, hidden).layout().size();
    return MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(vocab, hidden), 35, batch / partitions),
        new MemoryEstimate.Placement(partitions, 0, true, Math.min(partitions, cores)));
  }

  @Test
  void localModeCountsTheDriversCopiesEveryPartitionsGradientAndTheRunningTasksWorkspaces() {
    int v = 1000;
    int h = 64;
    long n = (long) v * h + h * h + h + (long) h * v + v;
    MemoryEstimate e = MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(v, h), 35, 16),
        new MemoryEstimate.Placement(2, 0, true, 2));
    long workspace = 4 * (36L * 16 * h + 35L * 16 * v + 35L * 16 * h + 2L * h * h);
    assertEquals(n, e.parameters());
    assertEquals(workspace, e.workspaceBytes());
    assertEquals(3 * 4 * n + 2 * 4 * n + 2 * workspace, e.driverBytes());
    assertEquals(0, e.executorBytes());
  }

  @Test
  void clusterModeCountsTheBroadcastAndTheSerializedResultOnEachExecutor() {
    int v = 1000;
    int h = 64;
    long n = new RnnModel(v, h).layout().size();
    MemoryEstimate e = MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(v, h), 35, 8),
        new MemoryEstimate.Placement(4, 5, false, 2));
    assertEquals(3 * 4 * n + 4 * 5 + 4 * 4 * n + 4 * n, e.driverBytes());
    assertEquals(4 * n + 2 * (e.workspaceBytes() + 2 * 4 * n), e.executorBytes());
  }

  @Test
  void localStepsAddAGradientToEveryRunningTask() {
    int v = 1000;
    int h = 64;
    long n = new RnnModel(v, h).layout().size();
    MemoryEstimate.Shape shape = MemoryEstimate.Shape.of(new RnnModel(v, h), 35, 8);
    for (boolean oneJvm : new boolean[] {true, false}) {
      int tasks = 3;
      MemoryEstimate once = MemoryEstimate.of(shape, new MemoryEstimate.Placement(4, 0, oneJvm, tasks));
      MemoryEstimate local = MemoryEstimate.of(shape, new MemoryEstimate.Placement(4, 0, oneJvm, tasks, true));
      assertEquals(once.workspaceBytes() + 4 * n, local.workspaceBytes(), "oneJvm " + oneJvm);
      long heapOnce = oneJvm ? once.driverBytes() : once.executorBytes();
      long heapLocal = oneJvm ? local.driverBytes() : local.executorBytes();
      assertEquals(heapOnce + tasks * 4 * n, heapLocal, "the JVM running the tasks, oneJvm " + oneJvm);
    }
  }

  @Test
  void theBooksConfigurationFitsAGibibyteAndAThreeHundredThousandWordVocabularyDoesNotFitFour() {
    assertNull(local(28, 512, 32, 2, 2).whyNotFitting(GIB, 0, 0, true));
    String why = local(356_095, 512, 32, 2, 2).whyNotFitting(4 * GIB, 0, 0, true);
    assertTrue(why.startsWith("not enough memory: training needs about 8,"), why);
    assertTrue(why.contains("heap of 4,096 MiB leaves 3,796 MiB"), why);
    assertNull(local(20_000, 512, 32, 2, 2).whyNotFitting(4 * GIB, 0, 0, true), "--max-vocab 20000");
  }

  @Test
  void anExecutorHeapTooSmallIsNamedAsSuch() {
    long n = new RnnModel(50_000, 512).layout().size();
    MemoryEstimate e = MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(50_000, 512), 35, 16),
        new MemoryEstimate.Placement(2, 0, false, 4));
    String why = e.whyNotFitting(64 * GIB, GIB, 0, false);
    assertTrue(why.contains("per executor") && why.contains("spark.executor.memory 1,024 MiB"), why);
    assertNull(e.whyNotFitting(64 * GIB, 16 * GIB, 0, false));
  }

  @Test
  void aStepsResultsBeyondTheDriversResultLimitAreRefusedOffLocalMode() {
    long n = new RnnModel(50_000, 512).layout().size(); // 4 x 51.5M bytes = 196 MiB a gradient
    MemoryEstimate cluster = MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(50_000, 512), 35, 4),
        new MemoryEstimate.Placement(8, 0, false, 1));
    String why = cluster.whyNotFitting(64 * GIB, 16 * GIB, GIB, false);
    assertTrue(why.startsWith("a step's results (one gradient per partition: 1,5"), why);
    assertNull(cluster.whyNotFitting(64 * GIB, 16 * GIB, 0, false), "0 = unlimited");
    assertNull(MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(50_000, 512), 35, 4),
        new MemoryEstimate.Placement(8, 0, true, 2)).whyNotFitting(64 * GIB, 0, GIB, true),
        "local mode passes results by reference");
  }

  @Test
  void logitsBeyondAJavaArrayAreRefusedWhateverTheHeap() {
    // 35 x 64 x 1,000,000 logits > 2^31 - 9 elements
    long n = new RnnModel(1_000_000, 8).layout().size();
    MemoryEstimate e = MemoryEstimate.of(MemoryEstimate.Shape.of(new RnnModel(1_000_000, 8), 35, 64),
        new MemoryEstimate.Placement(1, 0, true, 1));
    String why = e.whyNotFitting(1L << 50, 0, 0, true);
    assertTrue(why.startsWith("one array would hold 2,240,000,000 elements"), why);
  }

  /**
   * Each layer is counted with its cell's gates: two more layers of G gates add at least the
   * 2·G·T·b·H floats of their gate values to a task's workspace (rnn 1, gru 3, lstm 4), and their
   * weights to the parameters.
   */
  @ParameterizedTest
  @CsvSource({"rnn, 1", "gru, 3", "lstm, 4"})
  void everyLayerIsCountedWithItsCellsGates(String cell, int gates) {
    int h = 1024;
    long rows = 35L * 16;
    MemoryEstimate one = placed(LanguageModels.create(cell, 72, h, 1, 0f));
    MemoryEstimate three = placed(LanguageModels.create(cell, 72, h, 3, 0f));
    long gateValues = 4L * 2 * gates * rows * h;
    assertTrue(three.workspaceBytes() - one.workspaceBytes() >= gateValues,
        cell + ": " + one.workspaceBytes() + " -> " + three.workspaceBytes());
    assertTrue(three.parameters() - one.parameters() >= 2L * 2 * gates * h * h);
  }

  /**
   * A 3-layer LSTM's task workspace is at least gates x layers times a one-layer rnn's of the same
   * shape (less the packed W_hh, which a stack packs once for all its layers), and the driver's
   * estimate of a 1,024-unit LSTM on a character vocabulary, batch 32 over 2 partitions, does not
   * fit the 911 MiB that {@code -Xmx1g} gives the parallel collector ({@code scripts/rnnlm}'s).
   */
  @Test
  void aThreeLayerLstmOf1024UnitsCountsGatesTimesLayersAndIsRefusedAGibibyteHeap() {
    MemoryEstimate lstm = placed(LanguageModels.create("lstm", 72, 1024, 3, 0f));
    MemoryEstimate rnn = placed(LanguageModels.create("rnn", 72, 1024, 1, 0f));
    assertTrue(lstm.workspaceBytes() >= 4 * 3 * (rnn.workspaceBytes() - 4 * 2L * 1024 * 1024),
        lstm.workspaceBytes() + " vs " + rnn.workspaceBytes());
    String why = lstm.whyNotFitting(911L << 20, 0, 0, true);
    assertTrue(why != null && why.startsWith("not enough memory: training needs about "), String.valueOf(why));
  }

  private static MemoryEstimate placed(LanguageModel model) {
    return MemoryEstimate.of(MemoryEstimate.Shape.of(model, 35, 16), new MemoryEstimate.Placement(2, 0, true, 2));
  }
}
