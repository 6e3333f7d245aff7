package dev.rnnlm.engine;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * How one step's inputs reach the partitions' tasks and their results come back to the driver.
 * Created by the driver for one step, shipped inside the step's task (so it must stay small),
 * closed by the driver once it has received every partition's result.
 *
 * <ul>
 *   <li>{@link BroadcastChannel}: Spark's way, for executors in other JVMs: the inputs are a
 *       broadcast, each result is serialized into the task's result.
 *   <li>{@link InProcessChannel}: local mode, where the executor is the driver's own JVM: the
 *       inputs and results are passed by reference, never serialized.
 * </ul>
 */
abstract class StepChannel implements Serializable {
  /** Task side: the step's parameters and carried states (read only). */
  abstract StepInputs inputs();

  /** Task side: a zeroed buffer of {@code length} floats for partition {@code partition}'s gradient. */
  abstract float[] resultBuffer(int partition, int length);

  /** Task side: hands {@code result} over; returns what the task gives back to Spark. */
  abstract Object send(StepResult result);

  /** Driver side: partition {@code partition}'s result, from what its task gave back to Spark. */
  abstract StepResult receive(int partition, Object returned);

  /** Driver side, after the job: releases the step's inputs and results. */
  abstract void close();

  /** {@code buffer} zeroed when it has {@code length} floats, else a new (zero) array. */
  static float[] zeroedOrNew(float[] buffer, int length) {
    if (buffer == null || buffer.length != length) {
      return new float[length];
    }
    Arrays.fill(buffer, 0f);
    return buffer;
  }

  /** How steps are exchanged with their tasks. */
  enum Kind {
    /** {@link BroadcastChannel}: works with executors anywhere. */
    BROADCAST("broadcast + task results"),
    /** {@link InProcessChannel}: only where tasks run in the driver's JVM (local mode). */
    IN_PROCESS("in-process (local mode)");

    /** Set to {@code false} to make local mode use the broadcast channel too (comparisons). */
    private static final String IN_PROCESS_PROPERTY = "rnnlm.inProcess";

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    /** In-process when the context is local mode (unless disabled), else broadcast. */
    static Kind of(JavaSparkContext sc) {
      boolean allowed = !"false".equalsIgnoreCase(System.getProperty(IN_PROCESS_PROPERTY));
      return sc.isLocal() && allowed ? IN_PROCESS : BROADCAST;
    }

    /** For reports: {@code broadcast + task results} or {@code in-process (local mode)}. */
    String description() {
      return description;
    }
  }
}
