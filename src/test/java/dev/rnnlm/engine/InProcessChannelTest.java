package dev.rnnlm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The in-process channel's contract, without Spark: what tasks and the driver see of a step. */
class InProcessChannelTest {
  private static StepInputs inputs() {
    return new StepInputs(new PackedFloats(new float[] {1, 2, 3}), null);
  }

  private static StepResult result(int partition, float[] grad) {
    return new StepResult(partition, new StepResult.Sums(1.5, 10, new PackedFloats(grad), null),
        StepResult.LocalClipping.NONE, new StepResult.TaskTiming(0, 0, 0, 0), new StepResult.Origin("test", "test"));
  }

  @Test
  void tasksReadTheDriversInputsAndTheDriverReceivesTheTasksResultsByReference() {
    StepInputs in = inputs();
    InProcessChannel channel = InProcessChannel.open(in, new ResultBuffers(2), 2);
    assertSame(in, channel.inputs());
    StepResult r = result(1, channel.resultBuffer(1, 3));
    Object returned = channel.send(r);
    assertSame(r, channel.receive(1, returned));
    channel.close();
  }

  @Test
  void eachPartitionHasItsOwnBufferZeroedAndReusedByTheNextStep() {
    ResultBuffers buffers = new ResultBuffers(2);
    InProcessChannel first = InProcessChannel.open(inputs(), buffers, 2);
    float[] zero = first.resultBuffer(0, 4);
    float[] one = first.resultBuffer(1, 4);
    assertNotSame(zero, one, "two partitions of a step may run on one thread: buffers per partition");
    zero[3] = 7f;
    first.close();
    InProcessChannel second = InProcessChannel.open(inputs(), buffers, 2);
    float[] again = second.resultBuffer(0, 4);
    assertSame(zero, again);
    assertEquals(0f, again[3], "reused buffer not zeroed");
    second.close();
  }

  @Test
  void aTaskAfterItsStepClosedFailsInsteadOfReadingStaleInputs() {
    InProcessChannel channel = InProcessChannel.open(inputs(), new ResultBuffers(1), 1);
    channel.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, channel::inputs);
    assertTrue(e.getMessage().contains("is not open in this JVM"), e.getMessage());
  }

  @Test
  void aPartitionThatSentNothingIsReportedByNumber() {
    InProcessChannel channel = InProcessChannel.open(inputs(), new ResultBuffers(2), 2);
    channel.send(result(0, new float[3]));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> channel.receive(1, null));
    assertTrue(e.getMessage().contains("partition 1"), e.getMessage());
    channel.close();
  }

  /**
   * A buffer whose last result was sent with a row support is cleared in those ranges only (the
   * rest is zero already); one handed out and never sent (a failed attempt) is cleared in full.
   */
  @Test
  void aBufferIsClearedWhereItsLastResultMayBeNonZeroAndInFullAfterAnAttemptThatSentNothing() {
    ResultBuffers buffers = new ResultBuffers(1);
    // a table of 3 rows of 2 floats at offset 1 in 8 floats; row 1 kept: ranges [0,1) [3,5) [7,8)
    dev.rnnlm.optim.RowSupport support = dev.rnnlm.optim.RowSupport.ofIds(1, 2, 3, new int[] {1});
    float[] b = buffers.cleared(0, 8);
    java.util.Arrays.fill(b, 1f);
    buffers.sent(0, new PackedFloats(b, support));
    float[] again = buffers.cleared(0, 8);
    assertSame(b, again);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 1, 0}, again,
        "only the supported ranges are cleared: the rest is the caller's promise of zeros");
    java.util.Arrays.fill(again, 2f);   // an attempt that fails before it sends
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[8], buffers.cleared(0, 8),
        "after an attempt that sent nothing, everything");
  }
}
