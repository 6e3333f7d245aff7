package dev.rnnlm.engine;

import java.util.concurrent.Executor;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A step exchanged the way Spark moves data between JVMs: the inputs are one broadcast (tasks
 * hold only its handle), each partition's result is serialized into its task's result.
 */
final class BroadcastChannel extends StepChannel {
  private final Broadcast<StepInputs> inputs;
  /** Driver side: where the broadcast is destroyed, off the step's critical path. */
  private final transient Executor cleanup;

  private BroadcastChannel(Broadcast<StepInputs> inputs, Executor cleanup) {
    this.inputs = inputs;
    this.cleanup = cleanup;
  }

  static BroadcastChannel open(JavaSparkContext sc, StepInputs inputs,
                               Executor cleanup) {
    return new BroadcastChannel(sc.broadcast(inputs), cleanup);
  }

  /**
   * The executor thread's gradient buffer. Safe to reuse: Spark serializes a task's result in
   * the task's thread before that thread runs another task.
   */
  private static final ThreadLocal<float[]> GRADIENT = new ThreadLocal<>();

  @Override
  StepInputs inputs() {
    return inputs.value();
  }

  @Override
  float[] resultBuffer(int partition, int length) {
    float[] g = zeroedOrNew(GRADIENT.get(), length);
    GRADIENT.set(g);
    return g;
  }

  @Override
  Object send(StepResult result) {
    return result;
  }

  @Override
  StepResult receive(int partition, Object returned) {
    return (StepResult) returned;
  }

  @Override
  void close() {
    // Removing a broadcast takes milliseconds of messaging; the next step need not wait.
    cleanup.execute(inputs::destroy);
  }
}
