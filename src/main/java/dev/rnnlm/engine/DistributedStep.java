package dev.rnnlm.engine;

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
 * The {@link Synchronizer} on Spark: hand parameters and carried states to the tasks through a
 * {@link StepChannel} (a broadcast, or by reference in local mode), run a {@link GradientTask}
 * per partition, and add the results in partition order or in {@link PartialSum}'s fixed tree
 * (never in arrival order), so the sums are the same on every run, whichever the channel. A round
 * is one Spark job ({@link AggregationTree}'s two with a tree on the executors), or in local mode
 * with a task slot per partition a round of the {@link ResidentJob}'s tasks, which stay between
 * rounds. Jobs go straight to {@code SparkContext.runJob} with named function classes: an RDD
 * action would make Spark analyse a fresh lambda's bytecode (closure cleaning) every round.
 */
final class DistributedStep implements Synchronizer {
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

  /** How this step's inputs and results travel. */
  StepChannel.Kind channelKind() {
    return channelKind;
  }

  @Override
  public String channel() {
    return channelKind.description();
  }

  @Override
  public void runEmptyJob() {
    runOnEveryPartition(new EmptyTask(), new Object[plan.partitions()]);
  }

  @Override
  public boolean residentTasks() {
    return resident != null;
  }

  @Override
  public void releaseTaskSlots() {
    if (resident != null) {
      resident.end();
    }
  }

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

  @Override
  public Totals run(float[] params, float[][] states, SyncRound round, LocalSteps local) {
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
