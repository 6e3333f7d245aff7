package dev.rnnlm.train;

import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * One training step over all partitions: hand parameters and carried states to the tasks
 * through a {@link StepChannel} (a broadcast, or by reference in local mode), run a
 * {@link GradientTask} per partition, and add the results in partition order (never in
 * arrival order) so the sums are the same on every run, whichever the channel. Jobs go
 * straight to {@code SparkContext.runJob} with named function classes: an RDD action would make
 * Spark analyse a fresh lambda's bytecode on every step.
 */
final class DistributedStep {
  private final JavaSparkContext sc;
  private final RDD<TokenShard> shards;
  private final LanguageModel model;
  private final WindowPlan plan;
  private final Seq<Object> allPartitions;
  private final StepChannel.Kind channelKind;
  /** In-process steps: each partition's gradient buffer, reused by every step. */
  private final float[][] gradientBuffers;
  private final ExecutorService destroyer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "rnnlm-broadcast-cleanup");
    t.setDaemon(true);
    return t;
  });

  DistributedStep(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                  WindowPlan plan) {
    this(sc, shards, model, plan, StepChannel.Kind.of(sc));
  }

  /** With a chosen channel kind: {@code IN_PROCESS} needs a local-mode context. */
  DistributedStep(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                  WindowPlan plan, StepChannel.Kind channelKind) {
    if (channelKind == StepChannel.Kind.IN_PROCESS && !sc.isLocal()) {
      throw new IllegalArgumentException("in-process steps need local mode, not " + sc.master());
    }
    this.channelKind = channelKind;
    this.gradientBuffers = new float[plan.partitions()][];
    this.sc = sc;
    this.shards = shards.rdd();
    this.model = model;
    this.plan = plan;
    List<Object> indices = new ArrayList<>();
    for (int p = 0; p < shards.getNumPartitions(); p++) {
      indices.add(p);
    }
    this.allPartitions = CollectionConverters.asScala(indices).toSeq();
  }

  /**
   * What every partition reads at a step.
   *
   * @param params the parameters
   * @param states each partition's carried state; null: start from zeros
   */
  record StepInputs(PackedFloats params, PackedFloats[] states) implements java.io.Serializable {}

  /**
   * Sums of one step: loss, target tokens and gradient (not yet divided by the token count;
   * the caller's to change, until the next step, which may reuse it), each partition's final
   * states ({@code finalStates[p]}, null for random sampling), where the step's time went, and
   * what each partition computed with and where ({@code kernels[p]}, {@code executors[p]}).
   */
  record Totals(double lossSum, long tokens, float[] gradSum, float[][] finalStates,
                StepTiming timing, String[] kernels, String[] executors) {}

  /**
   * Nanoseconds of one step's phases: opening the channel (creating the broadcast); from then
   * until the first task entered its function (job submission, scheduling, task
   * deserialization); the slowest partition's kernel, wall and CPU; from the last kernel's end
   * until the job returned (result serialization, transfer, deserialization); from the job's
   * return until the sums were done on the driver. {@code launchNanos} and {@code resultNanos}
   * compare executor and driver clocks and are -1 unless both are one JVM (local mode).
   */
  record StepTiming(long channelOpenNanos, long launchNanos, long maxKernelNanos,
                    long maxKernelCpuNanos, long resultNanos, long sumNanos) {}

  /** How this step's inputs and results travel. */
  StepChannel.Kind channelKind() {
    return channelKind;
  }

  /** A job that does nothing on the same cached partitions: the fixed cost of one Spark step. */
  void runEmptyJob() {
    runOnEveryPartition(new EmptyTask(), new Object[plan.partitions()], Object.class);
  }

  /** Runs {@code task} on every shard; {@code out[p]} receives partition p's result. */
  private <U> void runOnEveryPartition(AbstractFunction2<TaskContext, Iterator<TokenShard>, U> task,
                                       U[] out, Class<U> type) {
    sc.sc().runJob(shards, task, allPartitions, new ResultSlot<>(out), ClassTag$.MODULE$.apply(type));
  }

  /** Stores each partition's result at its index: the driver then reads them in partition order. */
  private static final class ResultSlot<U> extends AbstractFunction2<Object, U, BoxedUnit> {
    private final U[] out;

    ResultSlot(U[] out) {
      this.out = out;
    }

    @Override
    public BoxedUnit apply(Object partition, U result) {
      out[(Integer) partition] = result;
      return BoxedUnit.UNIT;
    }
  }

  /** Does nothing with its partition. */
  private static final class EmptyTask extends AbstractFunction2<TaskContext, Iterator<TokenShard>, Object>
      implements java.io.Serializable {
    @Override
    public Object apply(TaskContext context, Iterator<TokenShard> shards) {
      return null;
    }
  }

  /** Runs step {@code step} of an epoch from {@code states} (null: zero state every step). */
  Totals run(float[] params, float[][] states, int epoch, int offset, int step) {
    long start = System.nanoTime();
    StepInputs inputs = new StepInputs(new PackedFloats(params),
        states == null ? null : PackedFloats.each(states));
    StepChannel channel = channelKind == StepChannel.Kind.IN_PROCESS
        ? InProcessChannel.open(inputs, gradientBuffers)
        : BroadcastChannel.open(sc, inputs, destroyer);
    long channelOpenNanos = System.nanoTime() - start;
    try {
      Object[] returned = new Object[plan.partitions()];
      runOnEveryPartition(new GradientTask(model, plan, channel, epoch, offset, step),
          returned, Object.class);
      long jobDone = System.nanoTime();
      StepResult[] parts = new StepResult[returned.length];
      for (int p = 0; p < parts.length; p++) {
        parts[p] = channel.receive(p, returned[p]);
      }
      // Ours to add into: freshly deserialized, or partition 0's buffer (its task is done).
      float[] grad = parts[0].sums().gradSum().values();
      float[][] finalStates = states == null ? null : new float[plan.partitions()][];
      double loss = 0;
      long tokens = 0;
      long maxKernelNanos = 0;
      long maxKernelCpuNanos = 0;
      long firstTaskStart = Long.MAX_VALUE;
      long lastKernelEnd = Long.MIN_VALUE;
      String[] kernels = new String[parts.length];
      String[] executors = new String[parts.length];
      for (StepResult r : parts) {
        kernels[r.partition()] = r.origin().kernels();
        executors[r.partition()] = r.origin().executor();
        if (r != parts[0]) {
          float[] g = r.sums().gradSum().values();
          for (int i = 0; i < grad.length; i++) {
            grad[i] += g[i];
          }
        }
        maxKernelNanos = Math.max(maxKernelNanos, r.timing().kernelNanos());
        maxKernelCpuNanos = Math.max(maxKernelCpuNanos, r.timing().kernelCpuNanos());
        firstTaskStart = Math.min(firstTaskStart, r.timing().taskStartNanos());
        lastKernelEnd = Math.max(lastKernelEnd, r.timing().kernelEndNanos());
        loss += r.sums().lossSum();
        tokens += r.sums().tokens();
        if (finalStates != null) {
          finalStates[r.partition()] = r.sums().finalState().values();
        }
      }
      boolean oneClock = sc.isLocal();
      return new Totals(loss, tokens, grad, finalStates, new StepTiming(channelOpenNanos,
          oneClock ? firstTaskStart - (start + channelOpenNanos) : -1, maxKernelNanos,
          maxKernelCpuNanos, oneClock ? jobDone - lastKernelEnd : -1,
          System.nanoTime() - jobDone), kernels, executors);
    } finally {
      channel.close();
    }
  }
}
