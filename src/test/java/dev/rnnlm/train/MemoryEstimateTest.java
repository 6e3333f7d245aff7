package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.model.RnnModel;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
  private static final long GIB = 1L << 30;

  private static MemoryEstimate local(int vocab, int hidden, int batch, int partitions, int cores) {
    long n = new RnnModel(vocab, hidden).layout().size();
    return MemoryEstimate.of(new MemoryEstimate.Shape(n, hidden, vocab, 35, batch / partitions),
        new MemoryEstimate.Placement(partitions, 0, true, Math.min(partitions, cores)));
  }

  @Test
  void localModeCountsTheDriversCopiesEveryPartitionsGradientAndTheRunningTasksWorkspaces() {
    int v = 1000;
    int h = 64;
    long n = (long) v * h + h * h + h + (long) h * v + v;
    MemoryEstimate e = MemoryEstimate.of(new MemoryEstimate.Shape(n, h, v, 35, 16),
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
    MemoryEstimate e = MemoryEstimate.of(new MemoryEstimate.Shape(n, h, v, 35, 8),
        new MemoryEstimate.Placement(4, 5, false, 2));
    assertEquals(3 * 4 * n + 4 * 5 + 4 * 4 * n + 4 * n, e.driverBytes());
    assertEquals(4 * n + 2 * (e.workspaceBytes() + 2 * 4 * n), e.executorBytes());
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
    MemoryEstimate e = MemoryEstimate.of(new MemoryEstimate.Shape(n, 512, 50_000, 35, 16),
        new MemoryEstimate.Placement(2, 0, false, 4));
    String why = e.whyNotFitting(64 * GIB, GIB, 0, false);
    assertTrue(why.contains("per executor") && why.contains("spark.executor.memory 1,024 MiB"), why);
    assertNull(e.whyNotFitting(64 * GIB, 16 * GIB, 0, false));
  }

  @Test
  void aStepsResultsBeyondTheDriversResultLimitAreRefusedOffLocalMode() {
    long n = new RnnModel(50_000, 512).layout().size(); // 4 x 51.5M bytes = 196 MiB a gradient
    MemoryEstimate cluster = MemoryEstimate.of(new MemoryEstimate.Shape(n, 512, 50_000, 35, 4),
        new MemoryEstimate.Placement(8, 0, false, 1));
    String why = cluster.whyNotFitting(64 * GIB, 16 * GIB, GIB, false);
    assertTrue(why.startsWith("a step's results (one gradient per partition: 1,5"), why);
    assertNull(cluster.whyNotFitting(64 * GIB, 16 * GIB, 0, false), "0 = unlimited");
    assertNull(MemoryEstimate.of(new MemoryEstimate.Shape(n, 512, 50_000, 35, 4),
        new MemoryEstimate.Placement(8, 0, true, 2)).whyNotFitting(64 * GIB, 0, GIB, true),
        "local mode passes results by reference");
  }

  @Test
  void logitsBeyondAJavaArrayAreRefusedWhateverTheHeap() {
    // 35 x 64 x 1,000,000 logits > 2^31 - 9 elements
    long n = new RnnModel(1_000_000, 8).layout().size();
    MemoryEstimate e = MemoryEstimate.of(new MemoryEstimate.Shape(n, 8, 1_000_000, 35, 64),
        new MemoryEstimate.Placement(1, 0, true, 1));
    String why = e.whyNotFitting(1L << 50, 0, 0, true);
    assertTrue(why.startsWith("one array would hold 2,240,000,000 elements"), why);
  }

  /**
   * The estimate counts the model's own workspace: a 3-layer LSTM of 1,024 units (batch 32 over
   * 2 partitions, T = 35, dropout) needs about 146 MiB per task, not the one-layer rnn formula's
   * 13 MiB: in local mode about 703 MiB in all, where the rnn formula said 436 MiB and let it start
   * in an 800 MiB heap (500 MiB usable).
   */
  @Test
  void aThreeLayerLstmOf1024UnitsIsCountedWithItsLayers() {
    dev.rnnlm.model.LanguageModel lstm =
        dev.rnnlm.model.LanguageModels.create("lstm", 100, 1024, 3, 0.2f);
    long n = lstm.layout().size();
    MemoryEstimate.Placement placement = new MemoryEstimate.Placement(2, 0, true, 2);
    MemoryEstimate counted = MemoryEstimate.of(new MemoryEstimate.Shape(n, 1024, 100, 35, 16,
        lstm.workspaceFloats(16, 35)), placement);
    MemoryEstimate rnnFormula = MemoryEstimate.of(new MemoryEstimate.Shape(n, 1024, 100, 35, 16),
        placement);
    assertTrue(counted.workspaceBytes() > 140L << 20, "workspace " + counted.workspaceBytes());
    assertTrue(counted.workspaceBytes() > 10 * rnnFormula.workspaceBytes());
    long heap = 800L << 20;
    assertNull(rnnFormula.whyNotFitting(heap, heap, 0, true), "what the rnn formula let through");
    String why = counted.whyNotFitting(heap, heap, 0, true);
    assertTrue(why != null && why.startsWith("not enough memory"), String.valueOf(why));
  }
}
