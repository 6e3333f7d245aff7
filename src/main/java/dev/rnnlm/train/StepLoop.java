package dev.rnnlm.train;

import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.engine.SyncRound;
import dev.rnnlm.engine.Synchronizer;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.optim.GradientClipping;
import dev.rnnlm.optim.LearningRateSchedule;
import dev.rnnlm.optim.Optimizer;
import dev.rnnlm.optim.OptimizerState;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.optim.RowSupport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The training iteration, one synchronization at a time, shared by {@link Trainer} and
 * {@link Benchmark}: where the run stands (epoch, its window offset and step count, the step
 * within it, the carried states, reset at each epoch's start), one round of the
 * {@link Synchronizer}, the check that every partition computed with the same kernels, and the
 * driver's update of {@code params} ({@code update}, the only place the driver changes them):
 * the mean gradient clipped by global norm through the optimizer at the schedule's learning rate,
 * or with local steps ({@link Synchronization}) the round's averaged change through the outer
 * update. What happens around the steps (metrics, checkpoints, timing) is the callers'.
 *
 * <p>Order of use: {@link #startEpoch} (or {@link #resumeEpoch}), then {@link #next} while
 * {@link #hasNextStep}; {@link #nextRollingOver} does both for a caller without epochs. In local
 * mode the steps may run on resident tasks that hold the task slots between steps:
 * {@link #releaseTaskSlots} before any other Spark job, and {@link #close} at the end.
 */
final class StepLoop implements AutoCloseable {
  private final JavaSparkContext sc;
  private final WindowPlan plan;
  private final LanguageModel model;
  private final float[] params;
  private final float clip;
  private final Optimizer optimizer;
  /** Replaced after each validation when it depends on them (plateau). */
  private LearningRateSchedule schedule;
  /** Optimizer steps taken in the whole run: the schedule's position. */
  private long stepsDone;
  private final Synchronization sync;
  /** With local steps: their inner update, and the driver's outer one. Null without. */
  private final Synchronizer.LocalSteps localSteps;
  private OuterUpdate outer;
  private final Synchronizer synchronizer;
  private final boolean allowMixedKernels;
  private PrintStream out = System.out;
  private String jobLabel = "epoch";
  private boolean mixedKernelsReported;
  private int epoch = -1;
  private int offset;
  private int stepsInEpoch;
  private int step;
  /** Per partition its sequences' state, {@code (b_p, stateSize)}; null for random sampling. */
  private float[][] states;

  /**
   * One round's outcome: the distributed sums (already applied), the norm before clipping of the
   * applied gradient (the outer gradient after local steps), the steps it covered, and the
   * nanoseconds of the distributed part and of the driver's update.
   */
  record Step(Synchronizer.Totals totals, double norm, SyncRound round, long runNanos,
              long updateNanos) {
    int epoch() {
      return round.epoch();
    }

    /** The round's last step within its epoch (0-based). */
    int step() {
      return round.nextStep() - 1;
    }

    int steps() {
      return round.steps();
    }
  }

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
    this.optimizer = Optimizers.create(settings.optimizer(), settings.optimizerSettings(), params.length);
    this.schedule = LearningRateSchedule.create(settings.lrSchedule(), settings.lr(),
        settings.scheduleSettings(), totalSteps(plan, settings.epochs()));
    this.sync = settings.sync();
    this.localSteps = sync.localSteps() ? new Synchronizer.LocalSteps(settings.lr(), settings.clip()) : null;
    this.outer = localSteps == null ? null : new OuterUpdate(sync.outer(), params.length, null);
    this.synchronizer = Synchronizer.on(sc, data.shards(), model, plan, sync.fanIn(plan.partitions()));
    this.allowMixedKernels = settings.allowMixedKernels();
  }

  /** Warnings go to {@code log}; Spark job descriptions start with {@code jobLabel} ("bench epoch"). */
  StepLoop reporting(PrintStream log, String jobLabel) {
    this.out = log;
    this.jobLabel = jobLabel;
    return this;
  }

  /**
   * Tells the schedule the validation perplexities of the epochs so far (in epoch order) and
   * returns the rate of the next step: plateau decays after an epoch that did not improve.
   */
  float validated(List<Double> validation) {
    schedule = schedule.afterValidations(validation);
    return schedule.lr(stepsDone);
  }

  /** The learning rate of the next optimizer step. */
  float nextLr() {
    return schedule.lr(stepsDone);
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
    states = carried != null ? carried : Synchronizer.zeroStates(plan, model);
  }

  /** Optimizer steps in {@code epochs} epochs of {@code plan} (their lengths vary with the offset). */
  static long totalSteps(WindowPlan plan, int epochs) {
    long total = 0;
    for (int e = 0; e < epochs; e++) {
      total += plan.stepsPerEpoch(plan.offset(e));
    }
    return total;
  }

  /** The optimizers' states, copies for a checkpoint: the driver's, and the outer update's when it has one. */
  List<OptimizerState> optimizerStates() {
    List<OptimizerState> states = new ArrayList<>();
    states.add(optimizer.state());
    OptimizerState outerState = outer == null ? null : outer.state();
    if (outerState != null) {
      states.add(outerState);
    }
    return states;
  }

  /**
   * Continues from a checkpoint taken after {@code steps} optimizer steps, with the optimizers'
   * states it kept (a checkpoint without them: SGD's, which has none, and zero momentum).
   */
  void restore(long steps, List<OptimizerState> kept) {
    stepsDone = steps;
    for (OptimizerState s : kept) {
      if (s.optimizer().equals(optimizer.name())) {
        optimizer.restore(s);
      } else if (outer != null && s.optimizer().equals(outer.name())) {
        outer = new OuterUpdate(sync.outer(), params.length, s);
      } else {
        throw new IllegalArgumentException("--resume: the checkpoint holds the state of " + s.optimizer()
            + ", this run uses --optimizer " + optimizer.name());
      }
    }
  }

  /** Synchronizations in the current epoch. */
  int syncsInEpoch() {
    return localSteps == null ? stepsInEpoch : sync.perEpoch(stepsInEpoch);
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
   * Runs the next round of the epoch (one step, or with local steps up to {@code --sync-every})
   * and applies its update.
   *
   * @throws TrainingDivergedException the loss or update is not finite (not applied)
   * @throws IllegalStateException partitions computed with different kernels (not applied)
   */
  Step next() {
    SyncRound round = new SyncRound(epoch, offset, step,
        localSteps == null ? 1 : sync.stepsFrom(step, stepsInEpoch));
    sc.setJobDescription(jobLabel + " " + (epoch + 1) + " step " + round.nextStep() + "/" + stepsInEpoch);
    long t0 = System.nanoTime();
    Synchronizer.Totals totals = synchronizer.run(params, states, round, localSteps);
    checkKernels(totals);
    long t1 = System.nanoTime();
    double norm = update(totals, round);
    stepsDone += round.steps();
    states = totals.finalStates();
    Step done = new Step(totals, norm, round, t1 - t0, System.nanoTime() - t1);
    step = round.nextStep();
    return done;
  }

  /**
   * The driver's update of {@code params} from {@code round}'s totals; returns the norm before
   * clipping of what it applied. Without local steps: the summed gradient divided by the round's
   * token count (the mean loss's gradient), clipped by global norm, through the optimizer at the
   * schedule's rate. With them: the summed change, already the sequence-weighted mean, through the
   * outer update. Nothing is applied when the loss or the norm is not finite: it throws, naming
   * the (1-based) epoch and the round's last step.
   */
  private double update(Synchronizer.Totals totals, SyncRound round) {
    float[] vector = totals.vector();
    if (localSteps != null) {
      double norm = GradientClipping.globalNorm(vector);
      checkFinite(totals, round, norm);
      return outer.apply(params, vector);
    }
    // Two passes over the gradient: the mean and its norm; then the optimizer reads it times the
    // clipping factor (the bits of mean, norm, clip and update as four passes). Rows of the input
    // table that no token of the step touched are zero: both skip them.
    RowSupport support = totals.support();
    double norm = GradientClipping.scaledNorm(vector, 1f / totals.tokens(), support);
    checkFinite(totals, round, norm);
    optimizer.apply(params, vector, GradientClipping.clipFactor(norm, clip), schedule.lr(stepsDone), support);
    return norm;
  }

  private static void checkFinite(Synchronizer.Totals totals, SyncRound round, double norm) {
    if (!Double.isFinite(totals.lossSum()) || !Double.isFinite(norm)) {
      throw new TrainingDivergedException(round.epoch() + 1, round.nextStep(), totals.lossSum(), norm);
    }
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
    synchronizer.runEmptyJob();
  }

  /** How the steps' inputs and results travel ({@link Synchronizer#channel}). */
  String channel() {
    return synchronizer.channel();
  }

  /** Whether the steps run on resident tasks (local mode, a task slot per partition). */
  boolean residentTasks() {
    return synchronizer.residentTasks();
  }

  /**
   * Frees the task slots that resident tasks hold between steps: call it before running any
   * other Spark job (validation, say); the next step takes them again.
   */
  void releaseTaskSlots() {
    synchronizer.releaseTaskSlots();
  }

  /** Frees the task slots; the loop can go on afterwards (the next step takes them again). */
  @Override
  public void close() {
    synchronizer.close();
  }

  /**
   * Stops before the step is applied when its partitions were computed with different kernels
   * (an executor without native BLAS or AVX2, say): the model would then depend on which executor
   * ran which task. Allowed, it warns once instead.
   */
  private void checkKernels(Synchronizer.Totals totals) {
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
