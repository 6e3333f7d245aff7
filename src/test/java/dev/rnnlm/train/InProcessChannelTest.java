package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The in-process channel's contract, without Spark: what tasks and the driver see of a step. */
class InProcessChannelTest {
  private static DistributedStep.StepInputs inputs() {
    return new DistributedStep.StepInputs(new PackedFloats(new float[] {1, 2, 3}), null);
  }

  private static StepResult result(int partition, float[] grad) {
    return new StepResult(partition, new StepResult.Sums(1.5, 10, new PackedFloats(grad), null),
        StepResult.LocalClipping.NONE, new StepResult.TaskTiming(0, 0, 0, 0), new StepResult.Origin("test", "test"));
  }

  @Test
  void tasksReadTheDriversInputsAndTheDriverReceivesTheTasksResultsByReference() {
    DistributedStep.StepInputs in = inputs();
    InProcessChannel channel = InProcessChannel.open(in, new float[2][]);
    assertSame(in, channel.inputs());
    StepResult r = result(1, channel.resultBuffer(1, 3));
    Object returned = channel.send(r);
    assertSame(r, channel.receive(1, returned));
    channel.close();
  }

  @Test
  void eachPartitionHasItsOwnBufferZeroedAndReusedByTheNextStep() {
    float[][] buffers = new float[2][];
    InProcessChannel first = InProcessChannel.open(inputs(), buffers);
    float[] zero = first.resultBuffer(0, 4);
    float[] one = first.resultBuffer(1, 4);
    assertNotSame(zero, one, "two partitions of a step may run on one thread: buffers per partition");
    zero[3] = 7f;
    first.close();
    InProcessChannel second = InProcessChannel.open(inputs(), buffers);
    float[] again = second.resultBuffer(0, 4);
    assertSame(zero, again);
    assertEquals(0f, again[3], "reused buffer not zeroed");
    second.close();
  }

  @Test
  void aTaskAfterItsStepClosedFailsInsteadOfReadingStaleInputs() {
    InProcessChannel channel = InProcessChannel.open(inputs(), new float[1][]);
    channel.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, channel::inputs);
    assertTrue(e.getMessage().contains("is not open in this JVM"), e.getMessage());
  }

  @Test
  void aPartitionThatSentNothingIsReportedByNumber() {
    InProcessChannel channel = InProcessChannel.open(inputs(), new float[2][]);
    channel.send(result(0, new float[3]));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> channel.receive(1, null));
    assertTrue(e.getMessage().contains("partition 1"), e.getMessage());
    channel.close();
  }
}
