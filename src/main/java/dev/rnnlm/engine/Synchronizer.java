package dev.rnnlm.engine;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.optim.RowSupport;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Synchronizes the partitions on Spark: the one thing the training loop calls. A round hands
 * every partition the parameters and its carried state, lets each run the round's steps on its
 * windows (one gradient, or local steps), and adds the partitions' results in an order fixed by
 * the partition count and the fan-in alone, so that the totals are the same bits wherever, and
 * by whichever channel, the tasks ran. The update of the parameters is the caller's.
 *
 * <p>Order of use: {@link #on}, then {@link #run} per round; {@link #releaseTaskSlots} before
 * any other Spark job of the driver (validation, say); {@link #close} at the end. Not thread-safe:
 * one driver thread runs the rounds.
 */
public interface Synchronizer extends AutoCloseable {
  /**
   * Rounds over {@code shards} (one per partition of {@code plan}, cached) for {@code model}, the
   * results added in groups of {@code fanIn} ({@code >= plan.partitions()}: directly by the driver).
   * In local mode the inputs and results pass by reference and, with a task slot per partition,
   * the tasks stay between rounds; elsewhere the inputs are a broadcast and each round is a job.
   */
  static Synchronizer on(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                         WindowPlan plan, int fanIn) {
    return new DistributedStep(sc, shards, model, plan, fanIn);
  }

  /**
   * The carried states at an epoch's start, for {@link #run}: zeros of {@code (b_p, stateSize)}
   * per partition p for sequential sampling; null for random sampling (every step starts from
   * zeros).
   */
  static float[][] zeroStates(WindowPlan plan, LanguageModel model) {
    if (plan.sampling() != Sampling.SEQUENTIAL) {
      return null;
    }
    float[][] states = new float[plan.partitions()][];
    for (int p = 0; p < states.length; p++) {
      states[p] = new float[plan.sequenceCount(p) * model.stateSize()];
    }
    return states;
  }

  /**
   * Runs {@code round} from {@code params} (read only during the call) and {@code states} (per
   * partition p its sequences' state, {@code (b_p, stateSize)} row-major; null: zeros every step):
   * without {@code local} one step's loss and gradient sums, with it each partition's local steps
   * and its sequence-weighted parameter change.
   */
  Totals run(float[] params, float[][] states, SyncRound round, LocalSteps local);

  /**
   * Frees the task slots that resident tasks hold between rounds, so that another Spark job can
   * run; the next round takes them again.
   */
  void releaseTaskSlots();

  /** Frees the task slots ({@link #releaseTaskSlots}); rounds can still run afterwards. */
  @Override
  void close();

  /** A job that does nothing on the same cached partitions: the fixed cost of one Spark job. */
  void runEmptyJob();

  /**
   * How the inputs and results travel, for reports: "broadcast + task results" or "in-process
   * (local mode)".
   */
  String channel();

  /** Whether the rounds run on resident tasks (one Spark job for many rounds) rather than a job each. */
  boolean residentTasks();

  /**
   * The partitions' own update between synchronizations: SGD at {@code lr} on each local step's
   * mean gradient clipped by global norm to {@code clip}.
   */
  record LocalSteps(float lr, float clip) implements Serializable {}

  /**
   * What one round brought back: the sums over every partition (loss, target tokens, result
   * vector, local clipping), per partition its final states, kernels and executor, where the
   * round's time went, and what reached the driver.
   */
  final class Totals {
    private final PartialSum sum;
    private final StepTiming timing;
    private final Ingress ingress;

    Totals(PartialSum sum, StepTiming timing, Ingress ingress) {
      this.sum = sum;
      this.timing = timing;
      this.ingress = ingress;
    }

    /** The loss summed over every target token of the round. */
    public double lossSum() {
      return sum.lossSum();
    }

    /** Target tokens of the round, over every partition and step. */
    public long tokens() {
      return sum.tokens();
    }

    /**
     * The summed gradient (without local steps) or weighted parameter change (with them), in
     * parameter layout: the caller's to change until the next round, which may reuse it.
     */
    public float[] vector() {
      return sum.vector();
    }

    /** Where {@link #vector} may be non-zero (a gradient's input-table rows); null: anywhere. */
    public RowSupport support() {
      return sum.support();
    }

    /** Each partition's final states, {@code (b_p, stateSize)}; null for random sampling. */
    public float[][] finalStates() {
      return sum.finalStates();
    }

    /** Per partition, the kernels it computed with ({@link dev.rnnlm.linalg.Kernels#inUse}). */
    public String[] kernels() {
      return sum.kernels();
    }

    /** Per partition, the executor that ran it: "executor 1 on 10.0.0.7". */
    public String[] executors() {
      return sum.executors();
    }

    /** Local steps: the sum over partitions and steps of their gradient norms before clipping. */
    public double localNormSum() {
      return sum.localNormSum();
    }

    /** Local steps, over every partition, whose gradient was clipped. */
    public long localClipped() {
      return sum.localClipped();
    }

    public StepTiming timing() {
      return timing;
    }

    public Ingress ingress() {
      return ingress;
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
}
