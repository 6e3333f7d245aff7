package dev.rnnlm.train;

import java.io.Serializable;

/**
 * What one partition sends back for one step: the summed loss and token count of its windows,
 * the gradient of that summed loss (flat, in parameter layout), its sequences' final recurrent
 * state ({@code (b, stateSize)} row-major; null when state is not carried), and the
 * wall and CPU nanoseconds spent in the forward + backward kernel (their difference is
 * time the task thread waited for a core). {@code taskStartNanos} (entering the task function)
 * and {@code kernelEndNanos} are the executor's {@code System.nanoTime()}: comparable with the
 * driver's only when both are the same JVM (local mode). {@code kernels} is what the executor
 * computed with ({@link dev.rnnlm.linalg.Kernels#inUse}), {@code executor} which one it was.
 */
record StepResult(int partition, double lossSum, long tokens, PackedFloats gradSum,
                  PackedFloats finalState, long kernelNanos,
                  long kernelCpuNanos, long taskStartNanos, long kernelEndNanos, String kernels,
                  String executor) implements Serializable {}
