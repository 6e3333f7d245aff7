package dev.rnnlm.train;

import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One training step on one partition: cut this step's windows from the cached shard, run
 * forward + BPTT from the carried state, return loss sum, gradient sum and final state.
 * Holds only broadcasts and small records; parameters never travel inside the task.
 *
 * <p>A named class rather than a lambda: Spark analyses the bytecode of every lambda it is
 * given (closure cleaning), which cost milliseconds per step; a plain serializable function
 * object is only checked for serializability.
 */
final class GradientTask extends AbstractFunction2<TaskContext, Iterator<TokenShard>, StepResult>
    implements Serializable {
  private final LanguageModel model;
  private final WindowPlan plan;
  private final Broadcast<DistributedStep.StepInputs> inputs;
  private final int epoch;
  private final int offset;
  private final int step;

  GradientTask(LanguageModel model, WindowPlan plan, Broadcast<DistributedStep.StepInputs> inputs,
               int epoch, int offset, int step) {
    this.model = model;
    this.plan = plan;
    this.inputs = inputs;
    this.epoch = epoch;
    this.offset = offset;
    this.step = step;
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Whether the JVM measures per-thread CPU time (HotSpot on Linux does); else it is reported as 0. */
  private static final boolean THREAD_CPU_TIME =
      THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

  /**
   * The executor thread's gradient buffer, zeroed. Safe to reuse: Spark serializes a task's
   * result in the task's thread before that thread runs another task.
   */
  private static final ThreadLocal<float[]> GRADIENT = ThreadLocal.withInitial(() -> new float[0]);

  private static float[] zeroedGradientBuffer(int length) {
    float[] g = GRADIENT.get();
    if (g.length != length) {
      g = new float[length];
      GRADIENT.set(g);
    } else {
      Arrays.fill(g, 0f);
    }
    return g;
  }

  private static long threadCpuNanos() {
    return THREAD_CPU_TIME ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  @Override
  public StepResult apply(TaskContext context, Iterator<TokenShard> shards) {
    long taskStart = System.nanoTime();
    TokenShard shard = shards.next();
    int p = shard.partition();
    int b = plan.sequenceCount(p);
    int[] windows = new int[plan.steps() * b];  // (T, b) time-major
    int[] targets = new int[plan.steps() * b];  // (T, b)
    plan.fillWindows(p, epoch, offset, step, shard, windows, targets);
    DistributedStep.StepInputs in = inputs.value();
    boolean carried = in.states() != null;
    float[] state = carried ? in.states()[p].values().clone() : new float[b * model.stateSize()];
    float[] p0 = in.params().values();
    float[] grad = zeroedGradientBuffer(p0.length);
    long start = System.nanoTime();
    long cpuStart = threadCpuNanos();
    double loss = model.lossAndGradient(p0, windows, targets, b, plan.steps(), state, grad);
    long kernelEnd = System.nanoTime();
    long kernelCpuNanos = threadCpuNanos() - cpuStart;
    return new StepResult(p, loss, windows.length, new PackedFloats(grad),
        carried ? new PackedFloats(state) : null, kernelEnd - start, kernelCpuNanos, taskStart,
        kernelEnd);
  }
}
