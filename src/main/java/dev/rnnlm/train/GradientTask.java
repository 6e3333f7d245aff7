package dev.rnnlm.train;

import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.linalg.Kernels;
import dev.rnnlm.model.LanguageModel;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One training step on one partition: cut this step's windows from the cached shard, run
 * forward + BPTT from the carried state, hand loss sum, gradient sum and final state to the
 * step's {@link StepChannel}. Holds only the channel's handle and small records; parameters
 * never travel inside the task.
 *
 * <p>A named class rather than a lambda: Spark analyses the bytecode of every lambda it is
 * given (closure cleaning), which cost milliseconds per step; a plain serializable function
 * object is only checked for serializability.
 */
final class GradientTask extends AbstractFunction2<TaskContext, Iterator<TokenShard>, Object>
    implements Serializable {
  private final LanguageModel model;
  private final WindowPlan plan;
  private final StepChannel channel;
  private final int epoch;
  private final int offset;
  private final int step;

  GradientTask(LanguageModel model, WindowPlan plan, StepChannel channel,
               int epoch, int offset, int step) {
    this.model = model;
    this.plan = plan;
    this.channel = channel;
    this.epoch = epoch;
    this.offset = offset;
    this.step = step;
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Whether the JVM measures per-thread CPU time (HotSpot on Linux does); else it is reported as 0. */
  private static final boolean THREAD_CPU_TIME =
      THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

  /** "executor 1 on 10.0.0.7" ("executor driver on ..." in local mode). */
  private static String executor() {
    SparkEnv env = SparkEnv.get();
    return "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
  }

  private static long threadCpuNanos() {
    return THREAD_CPU_TIME ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  /**
   * Runs the step on this task's partition. Running out of memory is reported as this task's
   * failure ({@link TaskOutOfMemoryException}): as an {@code OutOfMemoryError} it would make
   * Spark's executor exit the JVM (status 52), which in local mode is the driver too.
   */
  @Override
  public Object apply(TaskContext context, Iterator<TokenShard> shards) {
    try {
      return runStep(shards);
    } catch (OutOfMemoryError e) {
      throw new TaskOutOfMemoryException(context.partitionId(), e);
    }
  }

  private Object runStep(Iterator<TokenShard> shards) {
    long taskStart = System.nanoTime();
    TokenShard shard = shards.next();
    int p = shard.partition();
    int b = plan.sequenceCount(p);
    int[] windows = new int[plan.steps() * b];  // (T, b) time-major
    int[] targets = new int[plan.steps() * b];  // (T, b)
    plan.fillWindows(p, epoch, offset, step, shard, windows, targets);
    DistributedStep.StepInputs in = channel.inputs();
    boolean carried = in.states() != null;
    float[] state = carried ? in.states()[p].values().clone() : new float[b * model.stateSize()];
    float[] p0 = in.params().values();
    float[] grad = channel.gradientBuffer(p, p0.length);
    long start = System.nanoTime();
    long cpuStart = threadCpuNanos();
    double loss = model.lossAndGradient(p0, windows, targets, b, plan.steps(), state, grad);
    long kernelEnd = System.nanoTime();
    long kernelCpuNanos = threadCpuNanos() - cpuStart;
    return channel.send(new StepResult(p,
        new StepResult.Sums(loss, windows.length, new PackedFloats(grad), carried ? new PackedFloats(state) : null),
        new StepResult.TaskTiming(kernelEnd - start, kernelCpuNanos, taskStart, kernelEnd),
        new StepResult.Origin(Kernels.inUse(), executor())));
  }
}
