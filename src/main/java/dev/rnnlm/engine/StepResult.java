package dev.rnnlm.engine;

import java.io.Serializable;

/**
 * What one partition sends back for one step.
 *
 * @param partition the partition index
 * @param sums its summed loss, tokens, result vector and final states
 * @param clipping its local steps' gradient norms (zero without local steps)
 * @param timing where its task's time went
 * @param origin what it computed with, and where
 */
record StepResult(int partition, Sums sums, LocalClipping clipping, TaskTiming timing, Origin origin)
    implements Serializable {
  /**
   * The summed loss and target-token count of the partition's windows, its result vector (flat,
   * in parameter layout: the gradient of that summed loss, or after local steps its parameter
   * change weighted by its share of the sequences), and its sequences' final recurrent state
   * ({@code (b, stateSize)} row-major; null when state is not carried).
   */
  record Sums(double lossSum, long tokens, PackedFloats vector, PackedFloats finalState)
      implements Serializable {}

  /** Local steps: the sum of their gradient norms before clipping, and how many were clipped. */
  record LocalClipping(double normSum, int clipped) implements Serializable {
    static final LocalClipping NONE = new LocalClipping(0, 0);
  }

  /**
   * Wall and CPU nanoseconds of the forward + backward kernel (their difference is time the task
   * thread waited for a core); {@code taskStartNanos} (entering the task function) and
   * {@code kernelEndNanos} are the executor's {@code System.nanoTime()}: comparable with the
   * driver's only when both are the same JVM (local mode).
   */
  record TaskTiming(long kernelNanos, long kernelCpuNanos, long taskStartNanos, long kernelEndNanos)
      implements Serializable {}

  /** The kernels the executor computed with ({@link dev.rnnlm.linalg.Kernels#inUse}) and which executor it was. */
  record Origin(String kernels, String executor) implements Serializable {}
}
