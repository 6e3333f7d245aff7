package dev.rnnlm.train;

import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.optim.Sgd;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The training iteration, one step at a time, shared by {@link Trainer} and {@link Benchmark}:
 * where the run stands (epoch, its window offset and step count, the step within it, the carried
 * states, reset at each epoch's start), one distributed step, the check that every partition
 * computed with the same kernels, and the driver's update (average, clip by global norm, SGD)
 * into {@code params}. What happens around the steps (metrics, checkpoints, timing) is the
 * callers'.
 *
 * <p>Order of use: {@link #startEpoch} (or {@link #resumeEpoch}), then {@link #next} while
 * {@link #hasNextStep}; {@link #nextRollingOver} does both for a caller without epochs.
 */
final class StepLoop {
  private final JavaSparkContext sc;
  private final WindowPlan plan;
  private final LanguageModel model;
  private final float[] params;
  private final float clip;
  private final Sgd sgd;
  private final DistributedStep distributed;
  private final boolean allowMixedKernels;
  private PrintStream out = System.out;
  private String jobLabel = "epoch";
  private boolean mixedKernelsReported;
  private int epoch = -1;
  private int offset;
  private int stepsInEpoch;
  private int step;
  private float[][] states;

  /** One step's outcome: the distributed sums (gradient already applied) and the norm before clipping. */
  record Step(DistributedStep.Totals totals, double norm, int epoch, int step, long runNanos,
              long updateNanos) {}

  /**
   * A loop that updates {@code params} in place with {@code settings}' learning rate, clipping
   * bound and kernel policy. Spark job descriptions start with "epoch" and mixed-kernel warnings go
   * to standard output unless {@link #reporting} says otherwise.
   */
  StepLoop(JavaSparkContext sc, TrainingData data, LanguageModel model, float[] params,
           TrainSettings settings) {
    this.sc = sc;
    this.plan = data.plan();
    this.model = model;
    this.params = params;
    this.clip = settings.clip();
    this.sgd = new Sgd(settings.lr());
    this.distributed = new DistributedStep(sc, data.shards(), model, plan);
    this.allowMixedKernels = settings.allowMixedKernels();
  }

  /** Warnings go to {@code log}; Spark job descriptions start with {@code jobLabel} ("bench epoch"). */
  StepLoop reporting(PrintStream log, String jobLabel) {
    this.out = log;
    this.jobLabel = jobLabel;
    return this;
  }

  /** Starts epoch {@code e} at its first step, from zero states. */
  void startEpoch(int e) {
    resumeEpoch(e, 0, null);
  }

  /** Continues epoch {@code e} at step {@code s} with the carried {@code carried} states (null: zero). */
  void resumeEpoch(int e, int s, float[][] carried) {
    epoch = e;
    offset = plan.offset(e);
    stepsInEpoch = plan.stepsPerEpoch(offset);
    step = s;
    states = carried != null ? carried : Trainer.initialStates(plan, model);
  }

  boolean hasNextStep() {
    return step < stepsInEpoch;
  }

  /** Steps of the current epoch (they depend on its window offset). */
  int stepsInEpoch() {
    return stepsInEpoch;
  }

  /** The states the next step starts from (null for random sampling): a checkpoint's to keep. */
  float[][] states() {
    return states;
  }

  /**
   * Runs the next step of the epoch and applies its update.
   *
   * @throws TrainingDivergedException the step's loss or gradient is not finite (not applied)
   * @throws IllegalStateException partitions computed with different kernels (not applied)
   */
  Step next() {
    sc.setJobDescription(jobLabel + " " + (epoch + 1) + " step " + (step + 1) + "/" + stepsInEpoch);
    long t0 = System.nanoTime();
    DistributedStep.Totals totals = distributed.run(params, states, epoch, offset, step);
    checkKernels(totals);
    long t1 = System.nanoTime();
    double norm = Trainer.applyAveragedGradient(totals, params, clip, sgd, epoch, step);
    states = totals.finalStates();
    Step done = new Step(totals, norm, epoch, step, t1 - t0, System.nanoTime() - t1);
    step++;
    return done;
  }

  /** {@link #next}, starting the next epoch first when this one is done (or none has started). */
  Step nextRollingOver() {
    if (epoch < 0 || !hasNextStep()) {
      startEpoch(epoch + 1);
    }
    return next();
  }

  /** A job that does nothing on the same cached partitions: the fixed cost of one Spark step. */
  void runEmptyJob() {
    distributed.runEmptyJob();
  }

  /** How the steps' inputs and results travel. */
  StepChannel.Kind channelKind() {
    return distributed.channelKind();
  }

  /**
   * Stops before the step is applied when its partitions were computed with different kernels
   * (an executor without native BLAS or AVX2, say): the model would then depend on which executor
   * ran which task. Allowed, it warns once instead.
   */
  private void checkKernels(DistributedStep.Totals totals) {
    String mixed = differentKernels(totals.kernels(), totals.executors());
    if (mixed == null || mixedKernelsReported) {
      return;
    }
    if (!allowMixedKernels) {
      throw new IllegalStateException("the executors of this run compute with different kernels: "
          + mixed + "; the model would depend on which executor ran which task: give every executor "
          + "the same native libraries and options, or pass --allow-mixed-kernels");
    }
    out.println("warning: the executors of this run compute with different kernels: " + mixed
        + "; the model is not reproducible bit for bit (it depends on which executor ran which task)");
    mixedKernelsReported = true;
  }

  /**
   * Null when every partition reports the same kernels, else each kernel with the executors and
   * partitions that used it: "[K1] on executor 0 on h (partitions 0, 2); [K2] on executor 1 on h
   * (partition 1)".
   */
  static String differentKernels(String[] kernels, String[] executors) {
    Map<String, Map<String, List<Integer>>> byKernel = new LinkedHashMap<>();
    for (int p = 0; p < kernels.length; p++) {
      byKernel.computeIfAbsent(kernels[p], k -> new LinkedHashMap<>())
          .computeIfAbsent(executors[p], e -> new ArrayList<>()).add(p);
    }
    if (byKernel.size() <= 1) {
      return null;
    }
    List<String> groups = new ArrayList<>();
    byKernel.forEach((kernel, where) -> {
      List<String> places = new ArrayList<>();
      where.forEach((executor, partitions) -> places.add(executor + " (partition"
          + (partitions.size() > 1 ? "s " : " ")
          + String.join(", ", partitions.stream().map(String::valueOf).toList()) + ")"));
      groups.add("[" + kernel + "] on " + String.join(", ", places));
    });
    return String.join("; ", groups);
  }
}
