package dev.rnnlm.engine;

import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.linalg.Kernels;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.Tensor;
import dev.rnnlm.optim.GradientClipping;
import dev.rnnlm.optim.Optimizer;
import dev.rnnlm.optim.OptimizerSettings;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.RowSupport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One partition's work between two synchronizations: cut the round's windows from the cached
 * shard and run forward + BPTT from the carried state. Without local steps it is one step whose
 * loss sum, gradient sum and final state go to the round's {@link StepChannel}; with local steps
 * ({@code local != null}) it runs the round's steps on its own copy of the parameters (its mean
 * gradient clipped by global norm, then SGD) and returns its parameter change weighted by its
 * share of the sequences. Holds only the channel's handle and small records; parameters never
 * travel inside the task.
 *
 * <p>A named class rather than a lambda: Spark analyses the bytecode of every lambda it is
 * given (closure cleaning); a plain serializable function object is only checked for
 * serializability.
 */
final class GradientTask extends AbstractFunction2<TaskContext, Iterator<TokenShard>, Object>
    implements ResidentJob.Work {
  private final LanguageModel model;
  private final WindowPlan plan;
  private final StepChannel channel;
  private final SyncRound round;
  private final Synchronizer.LocalSteps local;

  GradientTask(LanguageModel model, WindowPlan plan, StepChannel channel, SyncRound round,
               Synchronizer.LocalSteps local) {
    this.model = model;
    this.plan = plan;
    this.channel = channel;
    this.round = round;
    this.local = local;
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Whether the JVM measures per-thread CPU time (HotSpot on Linux does); else it is reported as 0. */
  private static final boolean THREAD_CPU_TIME =
      THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

  /** Local steps' gradient, per task thread: a thread runs one partition's round at a time. */
  private static final ThreadLocal<float[]> LOCAL_GRADIENT = new ThreadLocal<>();

  /**
   * Local steps' update, per task thread: optim's SGD without weight decay, the rule the driver
   * applies with {@code --optimizer sgd}. It keeps no state that changes its result (only a step
   * count), so one serves every round the thread runs.
   */
  private static final ThreadLocal<Optimizer> LOCAL_SGD =
      ThreadLocal.withInitial(() -> Optimizers.create("sgd", OptimizerSettings.DEFAULTS, 0));

  /**
   * The seed of the dropout masks of one partition's windows at one step: a SplitMix64 mix of
   * the run's seed, the epoch, the step and the partition, so reruns and resumes draw the same
   * masks wherever the task runs, and no two steps or partitions share them.
   */
  static long dropoutSeed(long seed, int epoch, int step, int partition) {
    long h = mix(seed ^ 0x6A09E667F3BCC909L);
    h = mix(h + epoch);
    h = mix(h + step);
    return mix(h + partition);
  }

  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** "executor 1 on 10.0.0.7" ("executor driver on ..." in local mode). */
  private static String executor() {
    SparkEnv env = SparkEnv.get();
    return "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
  }

  private static long threadCpuNanos() {
    return THREAD_CPU_TIME ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  /** Runs the round on this task's partition and hands the result to the channel. */
  @Override
  public Object apply(TaskContext context, Iterator<TokenShard> shards) {
    return channel.send(compute(context, shards.next()));
  }

  /**
   * The round's result for {@code shard}'s partition. Running out of memory is reported as this
   * task's failure ({@link TaskOutOfMemoryException}): as an {@code OutOfMemoryError} it would make
   * Spark's executor exit the JVM (status 52), which in local mode is the driver too.
   */
  StepResult compute(TaskContext context, TokenShard shard) {
    try {
      return run(shard);
    } catch (OutOfMemoryError e) {
      throw new TaskOutOfMemoryException(context.partitionId(), e);
    }
  }

  /** The input table's rows of the tokens {@code ids}; null: the model has no such table. */
  private RowSupport inputRows(int[] ids) {
    Tensor table = model.inputTable();
    return table == null ? null : RowSupport.ofIds(table.offset(), table.cols(), table.rows(), ids);
  }

  private StepResult run(TokenShard shard) {
    long taskStart = System.nanoTime();
    int p = shard.partition();
    int b = plan.sequenceCount(p);
    int[] windows = new int[plan.steps() * b];  // (T, b) time-major
    int[] targets = new int[plan.steps() * b];  // (T, b)
    StepInputs in = channel.inputs();
    boolean carried = in.states() != null;
    // (b, stateSize): this partition's sequences, carried from the last round or from zeros
    float[] state = carried ? in.states()[p].values().clone() : new float[b * model.stateSize()];
    float[] params = in.params().values();  // flat, the model's layout; shared by the tasks: read only
    float[] result = channel.resultBuffer(p, params.length);  // params' layout
    long start = System.nanoTime();
    long cpuStart = threadCpuNanos();
    double loss = 0;
    StepResult.LocalClipping clipping = StepResult.LocalClipping.NONE;
    RowSupport support = null;
    if (local == null) {
      plan.fillWindows(p, round.epoch(), round.offset(), round.firstStep(), shard, windows, targets);
      loss = model.lossAndGradient(params, windows, targets, b, plan.steps(), state, result,
          dropoutSeed(plan.seed(), round.epoch(), round.firstStep(), p));
      // the gradient's input-table rows are zero but for the window's tokens: they stay behind
      support = inputRows(windows);
    } else {
      // result holds this partition's parameters during the round, then their weighted change.
      System.arraycopy(params, 0, result, 0, params.length);
      float[] grad = StepChannel.zeroedOrNew(LOCAL_GRADIENT.get(), params.length);
      LOCAL_GRADIENT.set(grad);
      Optimizer sgd = LOCAL_SGD.get();
      double normSum = 0;
      int clipped = 0;
      // Local SGD changes an input-table row only through a window holding its token, so the
      // change is +0 (p - p) outside the rows of the round's windows: those stay behind too.
      int[] roundIds = model.inputTable() == null ? null : new int[round.steps() * windows.length];
      for (int s = round.firstStep(); s < round.nextStep(); s++) {
        plan.fillWindows(p, round.epoch(), round.offset(), s, shard, windows, targets);
        if (roundIds != null) {
          System.arraycopy(windows, 0, roundIds, (s - round.firstStep()) * windows.length, windows.length);
        }
        if (!carried) {
          Arrays.fill(state, 0f);
        }
        Arrays.fill(grad, 0f);
        loss += model.lossAndGradient(result, windows, targets, b, plan.steps(), state, grad,
            dropoutSeed(plan.seed(), round.epoch(), s, p));
        double norm = GradientClipping.meanClipped(grad, windows.length, local.clip());
        normSum += norm;
        clipped += norm > local.clip() ? 1 : 0;
        sgd.apply(result, grad, local.lr());
      }
      float weight = (float) b / plan.batch();
      for (int i = 0; i < result.length; i++) {
        result[i] = (result[i] - params[i]) * weight;
      }
      clipping = new StepResult.LocalClipping(normSum, clipped);
      support = roundIds == null ? null : inputRows(roundIds);
    }
    long kernelEnd = System.nanoTime();
    long kernelCpuNanos = threadCpuNanos() - cpuStart;
    return new StepResult(p,
        new StepResult.Sums(loss, (long) windows.length * round.steps(), new PackedFloats(result, support),
            carried ? new PackedFloats(state) : null),
        clipping,
        new StepResult.TaskTiming(kernelEnd - start, kernelCpuNanos, taskStart, kernelEnd),
        new StepResult.Origin(Kernels.inUse(), executor()));
  }
}
