package dev.rnnlm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.Sampling;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.ParameterLayout;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.optim.GradientClipping;
import dev.rnnlm.optim.Optimizer;
import dev.rnnlm.optim.OptimizerSettings;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resident tasks (local mode: one Spark job whose tasks stay for many steps) on a real
 * local[2] Spark: they compute the same bits as a job per step, make way for any other job
 * started meanwhile (no deadlock over the task slots), and a task that fails fails its step
 * with the task's own error.
 */
@Tag("bit-identity")
class ResidentJobTest {
  private static final int BATCH = 8;
  private static final int STEPS = 6;
  private static final int HIDDEN = 12;
  private static final int TRAINING_STEPS = 6;
  private static final float CLIP = 0.5f;
  private static final long SEED = 11;
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static JavaSparkContext sc;
  private static EncodedCorpus corpus;

  @BeforeAll
  static void readCorpus() throws IOException {
    sc = SparkTestContext.get();
    corpus = EncodedCorpus.read(sc,
        CorpusSource.files(SparkTestContext.sampleData().resolve("clockmaker.txt").toString()), new TextPipeline(Normalizer.D2L, Tokenizer.CHAR), null, 0, 4000);
  }

  @AfterAll
  static void release() {
    corpus.close();
  }

  @ParameterizedTest
  @EnumSource(Sampling.class)
  void residentTasksAndAJobPerStepGiveBitIdenticalParameters(Sampling sampling) {
    assertResidentTasksTrainAsJobsDo(sampling, "parameters after " + TRAINING_STEPS + " steps",
        (step, model, plan) -> train(step, model, plan, 0, TRAINING_STEPS, init(model)));
  }

  /** Rounds of local steps (--sync-every 3: each partition's own clipped SGD steps) likewise. */
  @ParameterizedTest
  @EnumSource(Sampling.class)
  void residentTasksAndAJobPerRoundGiveBitIdenticalParametersWithLocalSteps(Sampling sampling) {
    assertResidentTasksTrainAsJobsDo(sampling, "parameters after rounds of local steps",
        ResidentJobTest::trainInRoundsOfThree);
  }

  /**
   * Between steps the resident tasks hold both task slots of local[2]; a job the driver runs then
   * (as validation does) must still run, and the steps after it continue the same trajectory.
   */
  @Test
  void anotherJobBetweenStepsRunsAndTheStepsContinueTheSameTrajectory() {
    LanguageModel model = new RnnModel(corpus.vocabulary().size(), HIDDEN);
    WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, 2, Sampling.RANDOM, SEED);
    JavaRDD<TokenShard> shards = layout(plan);
    try (DistributedStep resident = step(shards, model, plan, true);
         DistributedStep perStep = step(shards, model, plan, false)) {
      float[] expected = train(perStep, model, plan, 0, TRAINING_STEPS, init(model));
      float[] params = train(resident, model, plan, 0, TRAINING_STEPS / 2, init(model));
      long count = assertTimeoutPreemptively(PATIENCE, () -> shards.count(),
          "a job started while the resident tasks wait for their next step");
      assertEquals(plan.partitions(), count);
      params = train(resident, model, plan, TRAINING_STEPS / 2, TRAINING_STEPS, params);
      assertArrayEquals(expected, params, "parameters after a job between steps");
    } finally {
      shards.unpersist(false);
    }
  }

  @Test
  void aTaskThatFailsFailsItsStepWithItsErrorAndLeavesSparkUsable() {
    FailingModel model = new FailingModel(new RnnModel(corpus.vocabulary().size(), HIDDEN));
    WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, 2, Sampling.SEQUENTIAL, SEED);
    JavaRDD<TokenShard> shards = layout(plan);
    try (DistributedStep resident = step(shards, model, plan, true)) {
      float[] params = train(resident, model, plan, 0, 2, init(model));
      FailingModel.CALLS_BEFORE_FAILURE.set(1);
      Exception e = assertThrows(Exception.class, () -> assertTimeoutPreemptively(PATIENCE,
          () -> train(resident, model, plan, 2, 3, params)));
      assertTrue(String.valueOf(e.getMessage()).contains("injected failure"),
          "the step's error carries the task's: " + e);
      FailingModel.CALLS_BEFORE_FAILURE.set(-1);
      assertEquals(plan.partitions(), assertTimeoutPreemptively(PATIENCE, () -> shards.count()));
      float[] again = assertTimeoutPreemptively(PATIENCE, () -> train(resident, model, plan, 0, 1, init(model)));
      assertEquals(init(model).length, again.length);
    } finally {
      FailingModel.CALLS_BEFORE_FAILURE.set(-1);
      shards.unpersist(false);
    }
  }

  /** A training from the initial parameters through one kind of step; returns the parameters. */
  private interface Training {
    float[] run(DistributedStep step, LanguageModel model, WindowPlan plan);
  }

  /** Runs {@code training} with resident tasks and with a Spark job per step: the same bits. */
  private static void assertResidentTasksTrainAsJobsDo(Sampling sampling, String what, Training training) {
    LanguageModel model = new RnnModel(corpus.vocabulary().size(), HIDDEN);
    WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, 2, sampling, SEED);
    JavaRDD<TokenShard> shards = layout(plan);
    try (DistributedStep resident = step(shards, model, plan, true);
         DistributedStep perJob = step(shards, model, plan, false)) {
      assertTrue(resident.residentTasks());
      assertFalse(perJob.residentTasks());
      float[] a = training.run(resident, model, plan);
      float[] b = training.run(perJob, model, plan);
      assertArrayEquals(b, a, what + ", " + sampling);
    } finally {
      shards.unpersist(false);
    }
  }

  private static DistributedStep step(JavaRDD<TokenShard> shards, LanguageModel model, WindowPlan plan,
                                      boolean resident) {
    return new DistributedStep(sc, shards, model, new DistributedStep.Layout(plan, plan.partitions()),
        StepChannel.Kind.IN_PROCESS, resident);
  }

  private static float[] init(LanguageModel model) {
    float[] params = new float[model.layout().size()];
    model.initialize(params, SEED);
    return params;
  }

  /** Steps {@code from} to {@code to} (exclusive) of epoch 0, clipped SGD as the trainer takes them. */
  private static float[] train(DistributedStep step, LanguageModel model, WindowPlan plan, int from,
                               int to, float[] start) {
    float[] params = start.clone();
    float[][] states = Synchronizer.zeroStates(plan, model);
    Optimizer sgd = Optimizers.create("sgd", OptimizerSettings.DEFAULTS, 0);
    for (int s = from; s < to; s++) {
      Synchronizer.Totals totals = step.run(params, states, new SyncRound(0, plan.offset(0), s, 1), null);
      double norm = GradientClipping.scaledNorm(totals.vector(), 1f / totals.tokens(), totals.support());
      sgd.apply(params, totals.vector(), GradientClipping.clipFactor(norm, CLIP), 1f, totals.support());
      states = totals.finalStates();
    }
    return params;
  }

  /** Epoch 0's first steps in rounds of 3 local steps each, the rounds' changes added as plain averaging does. */
  private static float[] trainInRoundsOfThree(DistributedStep step, LanguageModel model, WindowPlan plan) {
    float[] params = init(model);
    float[][] states = Synchronizer.zeroStates(plan, model);
    Synchronizer.LocalSteps local = new Synchronizer.LocalSteps(1f, CLIP);
    for (int first = 0; first < TRAINING_STEPS; first += 3) {
      Synchronizer.Totals totals = step.run(params, states, new SyncRound(0, plan.offset(0), first, 3), local);
      float[] delta = totals.vector();
      for (int j = 0; j < params.length; j++) {
        params[j] += delta[j];
      }
      states = totals.finalStates();
    }
    return params;
  }

  private static JavaRDD<TokenShard> layout(WindowPlan plan) {
    long[][] ranges = new long[plan.partitions()][];
    for (int p = 0; p < ranges.length; p++) {
      ranges[p] = plan.tokenRange(p);
    }
    return corpus.layout(ranges);
  }

  /** A real model whose gradient fails once a countdown (shared by the task threads) reaches zero. */
  private static final class FailingModel implements LanguageModel {
    /** Gradient calls left before the next one fails; negative: never fail. */
    static final AtomicInteger CALLS_BEFORE_FAILURE = new AtomicInteger(-1);
    private final LanguageModel model;

    FailingModel(LanguageModel model) {
      this.model = model;
    }

    @Override
    public double lossAndGradient(float[] params, int[] inputs, int[] targets, int batch, int steps,
                                  float[] state, float[] grad) {
      if (CALLS_BEFORE_FAILURE.getAndDecrement() == 0) {
        throw new IllegalStateException("injected failure");
      }
      return model.lossAndGradient(params, inputs, targets, batch, steps, state, grad);
    }

    @Override
    public String cellType() {
      return model.cellType();
    }

    @Override
    public int vocabSize() {
      return model.vocabSize();
    }

    @Override
    public int hiddenSize() {
      return model.hiddenSize();
    }

    @Override
    public int stateSize() {
      return model.stateSize();
    }

    @Override
    public ParameterLayout layout() {
      return model.layout();
    }

    @Override
    public long workspaceFloats(int batch, int steps) {
      return model.workspaceFloats(batch, steps);
    }

    @Override
    public double flopsPerToken() {
      return model.flopsPerToken();
    }

    @Override
    public void initialize(float[] params, long seed) {
      model.initialize(params, seed);
    }

    @Override
    public double loss(float[] params, int[] inputs, int[] targets, int batch, int steps, float[] state,
                       double[] tokenLosses) {
      return model.loss(params, inputs, targets, batch, steps, state, tokenLosses);
    }

    @Override
    public void step(float[] params, int token, float[] state, float[] logits) {
      model.step(params, token, state, logits);
    }

    @Override
    public void step(float[] params, int[] tokens, int batch, float[] states, float[] logits) {
      model.step(params, tokens, batch, states, logits);
    }
  }
}
