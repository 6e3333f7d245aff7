package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class KernelCheckTest {
  @Test
  void partitionsComputedWithTheSameKernelsPassWhateverTheExecutors() {
    assertNull(StepLoop.differentKernels(new String[] {"K", "K", "K"},
        new String[] {"executor 0 on a", "executor 1 on b", "executor 0 on a"}));
  }

  @Test
  void differentKernelsAreListedWithTheExecutorsAndPartitionsThatUsedThem() {
    assertEquals("[K1] on executor 0 on a (partitions 0, 2); [K2] on executor 1 on b (partition 1)",
        StepLoop.differentKernels(new String[] {"K1", "K2", "K1"},
            new String[] {"executor 0 on a", "executor 1 on b", "executor 0 on a"}));
  }
}
