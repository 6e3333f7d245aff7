package dev.rnnlm.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A step exchanged by reference, for local mode, where Spark runs the tasks on threads of the
 * driver's JVM. Spark's own path would serialize the parameters into a broadcast nobody reads
 * (local tasks get the broadcast's object itself) and copy each parameter-sized result several
 * times on its way through the task result; here the task reads the driver's inputs and leaves
 * its result in a mailbox the driver empties. The task carries only the mailbox's number.
 *
 * <p>A mailbox is open only while its step runs: a task that finds none (it ran in another JVM,
 * or after its step was abandoned) fails instead of computing on stale inputs. A partition's
 * gradient buffer has one writer at a time: Spark does not speculate in local mode
 * ({@code TaskSchedulerImpl} starts speculation only when not local), and a retried attempt
 * starts after the failed one ended.
 */
final class InProcessChannel extends StepChannel {
  private static final Map<Long, Mailbox> OPEN = new ConcurrentHashMap<>();
  private static final AtomicLong NEXT_ID = new AtomicLong();

  /**
   * One step's exchange. {@code buffers} holds partition p's result buffer: the driver's, reused
   * from step to step (the driver is done with it before the next step starts, and a task thread
   * may run several partitions of one step, so buffers cannot be per thread).
   */
  private record Mailbox(StepInputs inputs, ResultBuffers buffers,
                         AtomicReferenceArray<StepResult> results) {}

  private final long id;

  private InProcessChannel(long id) {
    this.id = id;
  }

  /** Opens one step's mailbox over the (reused) result buffers of {@code partitions} partitions. */
  static InProcessChannel open(StepInputs inputs, ResultBuffers buffers,
                               int partitions) {
    long id = NEXT_ID.incrementAndGet();
    OPEN.put(id, new Mailbox(inputs, buffers, new AtomicReferenceArray<>(partitions)));
    return new InProcessChannel(id);
  }

  private Mailbox mailbox() {
    Mailbox m = OPEN.get(id);
    if (m == null) {
      throw new IllegalStateException("step mailbox " + id + " is not open in this JVM: in-process"
          + " steps need the tasks to run in the driver's JVM (local mode), during their step");
    }
    return m;
  }

  @Override
  StepInputs inputs() {
    return mailbox().inputs();
  }

  @Override
  float[] resultBuffer(int partition, int length) {
    return mailbox().buffers().cleared(partition, length);
  }

  @Override
  Object send(StepResult result) {
    mailbox().buffers().sent(result.partition(), result.sums().vector());
    mailbox().results().set(result.partition(), result);
    return null; // the result is in the mailbox; Spark carries nothing
  }

  @Override
  StepResult receive(int partition, Object returned) {
    StepResult r = mailbox().results().get(partition);
    if (r == null) {
      throw new IllegalStateException("no result from partition " + partition + " in step mailbox " + id);
    }
    return r;
  }

  @Override
  void close() {
    OPEN.remove(id);
  }
}
