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
 * arrival order) so the sums are the same on every run, whichever the channel. A round is one
 * Spark job, or in local mode with a task slot per partition a round of the {@link ResidentJob}'s
 * tasks, which stay between steps. Jobs go straight to {@code SparkContext.runJob} with named
 * function classes: an RDD action would make Spark analyse a fresh lambda's bytecode on every step.
 */
final class DistributedStep implements AutoCloseable {
  private final JavaSparkContext sc;
  private final RDD<TokenShard> shards;
  private final LanguageModel model;
  private final WindowPlan plan;
  /** Results added per group of the aggregation tree; at least P: direct. */
  private final int fanIn;
  private final Seq<Object> allPartitions;
  private final StepChannel.Kind channelKind;
  /** In-process steps: each partition's result buffer, reused by every round. */
  private final ResultBuffers resultBuffers;
  /** Local mode with a task slot per partition: the tasks that stay for many rounds; else null. */
  private final ResidentJob resident;
  private final ExecutorService destroyer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "rnnlm-broadcast-cleanup");
    t.setDaemon(true);
    return t;
  });

  DistributedStep(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                  WindowPlan plan, int fanIn) {
    this(sc, shards, model, new Layout(plan, fanIn), StepChannel.Kind.of(sc));
  }

  /** How the partitions' results are added: the plan's P partitions, F per group of the tree. */
  record Layout(WindowPlan plan, int fanIn) {}

  /**
   * With a chosen channel kind ({@code IN_PROCESS} needs a local-mode context); in-process rounds
   * run on resident tasks where they fit ({@link ResidentJob#fits}).
   */
  DistributedStep(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                  Layout layout, StepChannel.Kind channelKind) {
    this(sc, shards, model, layout, channelKind, channelKind == StepChannel.Kind.IN_PROCESS
        && ResidentJob.fits(sc, layout.plan().partitions()));
  }

  /**
   * With a chosen channel kind and launch: {@code resident} runs the rounds on resident tasks
   * (it needs the in-process channel and a local task slot per partition), else each round is
   * a Spark job.
   */
  DistributedStep(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                  Layout layout, StepChannel.Kind channelKind, boolean resident) {
    WindowPlan plan = layout.plan();
    if (channelKind == StepChannel.Kind.IN_PROCESS && !sc.isLocal()) {
      throw new IllegalArgumentException("in-process steps need local mode, not " + sc.master());
    }
    this.channelKind = channelKind;
    this.resultBuffers = new ResultBuffers(plan.partitions());
    this.sc = sc;
    this.shards = shards.rdd();
    this.model = model;
    this.plan = plan;
    this.fanIn = layout.fanIn();
    List<Object> indices = new ArrayList<>();
    for (int p = 0; p < shards.getNumPartitions(); p++) {
      indices.add(p);
    }
    this.allPartitions = CollectionConverters.asScala(indices).toSeq();
    if (resident && (channelKind != StepChannel.Kind.IN_PROCESS
        || ResidentJob.taskSlots(sc) < plan.partitions())) {
      throw new IllegalArgumentException("resident tasks need the in-process channel and a task slot per"
          + " partition: " + channelKind + ", " + plan.partitions() + " partitions, master " + sc.master());
    }
    this.resident = resident ? new ResidentJob(sc, this.shards, allPartitions) : null;
  }

  /**
   * What every partition reads at a step.
   *
   * @param params the parameters
   * @param states each partition's carried state; null: start from zeros
   */
  record StepInputs(PackedFloats params, PackedFloats[] states) implements java.io.Serializable {}

  /**
   * What one round brought back: the sum over every partition (loss, target tokens, result
   * vector: the caller's to change until the next round, which may reuse it; final states, kernels
   * and executors per partition), where its time went, and what reached the driver.
   */
  record Totals(PartialSum sum, StepTiming timing, Ingress ingress) {
    double lossSum() {
      return sum.lossSum();
    }

    long tokens() {
      return sum.tokens();
    }

    /** The summed gradient (without local steps) or weighted parameter change (with them). */
    float[] vector() {
      return sum.vector();
    }

    /** Where {@link #vector} may be non-zero (a gradient's input-table rows); null: anywhere. */
    dev.rnnlm.optim.RowSupport support() {
      return sum.support();
    }

    /** Each partition's final states, null for random sampling. */
    float[][] finalStates() {
      return sum.finalStates();
    }
  }

  /**
   * The results the driver received for one round and their payload (result vectors and states,
   * float32): P without a tree, at most the fan-in with one. In local mode with the in-process
   * channel nothing is serialized: the driver takes the P results by reference and adds the tree
   * itself, with the same bits.
   */
  record Ingress(int results, long payloadBytes) {}

  /**
   * Nanoseconds of one round's phases: opening the channel (creating the broadcast); from then
   * until the first task entered its function (job submission, scheduling, task
   * deserialization); the slowest partition's kernel; from the last kernel's end until the job
   * returned (result serialization, transfer, deserialization); from the job's return until the
   * sums were done on the driver. {@code launchNanos} and {@code resultNanos} compare executor
   * and driver clocks and are -1 unless both are one JVM (local mode).
   */
  record StepTiming(long channelOpenNanos, long launchNanos, KernelTime kernel, long resultNanos,
                    long sumNanos) {}

  /** The slowest partition's kernel time, wall and CPU (their difference: waiting for a core). */
  record KernelTime(long wallNanos, long cpuNanos) {}

  /** How this step's inputs and results travel. */
  StepChannel.Kind channelKind() {
    return channelKind;
  }

  /** A job that does nothing on the same cached partitions: the fixed cost of one Spark step. */
  void runEmptyJob() {
    runOnEveryPartition(new EmptyTask(), new Object[plan.partitions()]);
  }

  /** Whether the rounds run on resident tasks (one Spark job for many rounds) rather than a job each. */
  boolean residentTasks() {
    return resident != null;
  }

  /**
   * Frees the task slots the resident tasks hold, so that another Spark job can run; the next
   * round starts them again.
   */
  void releaseTaskSlots() {
    if (resident != null) {
      resident.end();
    }
  }

  /** Frees the task slots (see {@link #releaseTaskSlots}); the step can still run afterwards. */
  @Override
  public void close() {
    releaseTaskSlots();
  }

  /**
   * Runs {@code task} on every shard, as one job or as a round of the resident tasks;
   * {@code out[p]} receives partition p's result.
   */
  private <T extends AbstractFunction2<TaskContext, Iterator<TokenShard>, Object> & ResidentJob.Work>
      void runOnEveryPartition(T task, Object[] out) {
    if (resident != null) {
      resident.run(task, out);
    } else {
      sc.sc().runJob(shards, task, allPartitions, new ResultSlot<>(out), ClassTag$.MODULE$.apply(Object.class));
    }
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
      implements ResidentJob.Work {
    @Override
    public Object apply(TaskContext context, Iterator<TokenShard> shards) {
      return null;
    }
  }

  /**
   * Runs {@code round} from {@code params} and {@code states} (null: zero state every step):
   * one step's gradient sums, or with {@code local} each partition's local steps.
   */
  Totals run(float[] params, float[][] states, SyncRound round, GradientTask.LocalSteps local) {
    long start = System.nanoTime();
    StepInputs inputs = new StepInputs(new PackedFloats(params),
        states == null ? null : PackedFloats.each(states));
    StepChannel channel = channelKind == StepChannel.Kind.IN_PROCESS
        ? InProcessChannel.open(inputs, resultBuffers, plan.partitions())
        : BroadcastChannel.open(sc, inputs, destroyer);
    long channelOpenNanos = System.nanoTime() - start;
    try {
      GradientTask task = new GradientTask(model, plan, channel, round, local);
      boolean tree = fanIn < plan.partitions() && channelKind == StepChannel.Kind.BROADCAST;
      List<PartialSum> received = tree ? AggregationTree.run(sc, shards, task, fanIn)
          : leaves(task, channel);
      long jobDone = System.nanoTime();
      PartialSum sum = PartialSum.addTree(received, Math.min(fanIn, received.size()));
      long payload = received.stream().mapToLong(PartialSum::payloadBytes).sum();
      boolean oneClock = sc.isLocal();
      return new Totals(sum, new StepTiming(channelOpenNanos,
          oneClock ? sum.firstTaskStartNanos() - (start + channelOpenNanos) : -1,
          new KernelTime(sum.maxKernelNanos(), sum.maxKernelCpuNanos()),
          oneClock ? jobDone - sum.lastKernelEndNanos() : -1, System.nanoTime() - jobDone),
          new Ingress(received.size(), payload));
    } finally {
      channel.close();
    }
  }

  /** Every partition's result, received by the driver in partition order. */
  private List<PartialSum> leaves(GradientTask task, StepChannel channel) {
    Object[] returned = new Object[plan.partitions()];
    runOnEveryPartition(task, returned);
    List<PartialSum> leaves = new ArrayList<>(returned.length);
    for (int p = 0; p < returned.length; p++) {
      leaves.add(PartialSum.of(channel.receive(p, returned[p])));
    }
    return leaves;
  }
}
