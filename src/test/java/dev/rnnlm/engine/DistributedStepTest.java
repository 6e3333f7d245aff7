package dev.rnnlm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.Sampling;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.optim.GradientClipping;
import dev.rnnlm.optim.Optimizer;
import dev.rnnlm.optim.OptimizerSettings;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.optim.Sgd;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Distributed steps on a real local Spark follow the single-process algorithm: with 1, 2 and 4
 * partitions the averaged gradient of a step equals the gradient of the whole minibatch
 * computed in one process, and a few clipped SGD steps reach the same parameters. For
 * sequential sampling the minibatch is the book's (the one-partition plan); for random
 * sampling each partition shuffles its own windows, so the minibatch is the union of the
 * partitions' windows, computed here in one process. Both step channels are run: by reference
 * (local mode's default) and broadcast + serialized task results (what executors in other JVMs
 * use); with 4 partitions on 2 task threads a thread runs two partitions of one step.
 */
class DistributedStepTest {
  private static final int BATCH = 8;
  private static final int STEPS = 6;
  private static final int HIDDEN = 12;
  private static final int TRAINING_STEPS = 5;
  private static final float LR = 1f;
  private static final float CLIP = 0.5f; // small, so clipping is exercised
  private static final long SEED = 7;

  private static JavaSparkContext sc;
  private static EncodedCorpus corpus;
  private static TokenShard wholeCorpus;

  @BeforeAll
  static void readCorpus() throws IOException {
    sc = SparkTestContext.get();
    corpus = EncodedCorpus.read(sc,
        CorpusSource.files(SparkTestContext.sampleData().resolve("clockmaker.txt").toString()), new TextPipeline(Normalizer.D2L, Tokenizer.CHAR), null, 0, 4000);
    wholeCorpus = corpus.layout(new long[][] {{0, corpus.tokens()}}).collect().get(0);
  }

  @AfterAll
  static void release() {
    corpus.close();
  }

  static Stream<Arguments> samplingsAndChannels() {
    return Stream.of(Sampling.values()).flatMap(sampling -> Stream.of(StepChannel.Kind.values())
        .map(channel -> Arguments.of(sampling, channel)));
  }

  @ParameterizedTest
  @MethodSource("samplingsAndChannels")
  void oneTwoAndFourPartitionsFollowTheSingleProcessTrajectory(Sampling sampling,
                                                               StepChannel.Kind channel) {
    LanguageModel model = new RnnModel(corpus.vocabulary().size(), HIDDEN);
    float[] init = new float[model.layout().size()];
    model.initialize(init, SEED);

    for (int partitions : new int[] {1, 2, 4}) {
      WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, partitions, sampling, SEED);
      WindowPlan minibatches = sampling == Sampling.SEQUENTIAL
          ? new WindowPlan(corpus.tokens(), BATCH, STEPS, 1, sampling, SEED) : plan;
      List<float[]> reference = singleProcessTrajectory(model, init, minibatches);
      long[][] ranges = new long[partitions][];
      for (int p = 0; p < partitions; p++) {
        ranges[p] = plan.tokenRange(p);
      }
      JavaRDD<TokenShard> shards = corpus.layout(ranges);
      try {
        DistributedStep step = new DistributedStep(sc, shards, model, new DistributedStep.Layout(plan, partitions), channel);
        float[] params = init.clone();
        float[][] states = Synchronizer.zeroStates(plan, model);
        int offset = plan.offset(0);
        for (int s = 0; s < TRAINING_STEPS; s++) {
          Synchronizer.Totals totals = step.run(params, states, new SyncRound(0, offset, s, 1), null);
          assertEquals((long) BATCH * STEPS, totals.tokens());
          float[] grad = totals.vector();
          scale(grad, 1f / totals.tokens());
          if (s == 0) {
            assertClose(reference.get(0), grad, 1e-5,
                "first-step gradient with " + partitions + " partitions, " + sampling + ", " + channel);
          }
          GradientClipping.clipByGlobalNorm(grad, CLIP);
          new Sgd(LR).apply(params, grad);
          states = totals.finalStates();
        }
        assertClose(reference.get(1), params, 1e-5,
            "parameters after " + TRAINING_STEPS + " steps with " + partitions + " partitions, "
            + sampling + ", " + channel);
      } finally {
        shards.unpersist(false);
      }
    }
  }

  @Tag("bit-identity")
  @ParameterizedTest
  @EnumSource(Sampling.class)
  void inProcessAndBroadcastChannelsGiveBitIdenticalParameters(Sampling sampling) {
    LanguageModel model = new RnnModel(corpus.vocabulary().size(), HIDDEN);
    float[] init = new float[model.layout().size()];
    model.initialize(init, SEED);
    WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, 4, sampling, SEED);
    long[][] ranges = new long[4][];
    for (int p = 0; p < 4; p++) {
      ranges[p] = plan.tokenRange(p);
    }
    JavaRDD<TokenShard> shards = corpus.layout(ranges);
    try {
      float[] inProcess = trainedParameters(new DistributedStep(sc, shards, model,
          new DistributedStep.Layout(plan, 4), StepChannel.Kind.IN_PROCESS), model, plan, init);
      float[] broadcast = trainedParameters(new DistributedStep(sc, shards, model,
          new DistributedStep.Layout(plan, 4), StepChannel.Kind.BROADCAST), model, plan, init);
      assertArrayEquals(broadcast, inProcess, "parameters after " + TRAINING_STEPS + " steps, " + sampling);
    } finally {
      shards.unpersist(false);
    }
  }

  private JavaRDD<TokenShard> layout(WindowPlan plan) {
    long[][] ranges = new long[plan.partitions()][];
    for (int p = 0; p < ranges.length; p++) {
      ranges[p] = plan.tokenRange(p);
    }
    return corpus.layout(ranges);
  }

  /**
   * Local steps: each partition runs K clipped SGD steps of its own on its windows from the same
   * parameters, and the new parameters are the old plus the sequence-weighted mean change; checked
   * bit for bit against that computation written out here in one process, for 3 partitions of
   * unequal size (3, 3 and 2 sequences) over a round of 4 steps then one of 1.
   */
  @Tag("bit-identity")
  @ParameterizedTest
  @MethodSource("samplingsAndChannels")
  void localStepsAreEachPartitionsOwnSgdStepsAveragedBySequences(Sampling sampling,
                                                                 StepChannel.Kind channel) {
    LanguageModel model = new RnnModel(corpus.vocabulary().size(), HIDDEN);
    float[] init = new float[model.layout().size()];
    model.initialize(init, SEED);
    WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, 3, sampling, SEED);
    JavaRDD<TokenShard> shards = layout(plan);
    try {
      DistributedStep step = new DistributedStep(sc, shards, model, new DistributedStep.Layout(plan, 3), channel);
      OuterUpdate outer = new OuterUpdate(new OuterUpdate.Settings(OuterUpdate.Kind.SGD, 1f, 0f, 0f), init.length, null);
      float[] params = init.clone();
      float[] expected = init.clone();
      float[][] states = Synchronizer.zeroStates(plan, model);
      float[][] expectedStates = Synchronizer.zeroStates(plan, model);
      int offset = plan.offset(0);
      int first = 0;
      for (int k : new int[] {4, 1}) {
        Synchronizer.Totals totals = step.run(params, states, new SyncRound(0, offset, first, k),
            new Synchronizer.LocalSteps(LR, CLIP));
        assertEquals((long) BATCH * STEPS * k, totals.tokens());
        outer.apply(params, totals.vector());
        states = totals.finalStates();
        expectedStates = averagedLocalSteps(model, plan, expected, expectedStates, offset, first, k);
        first += k;
        assertArrayEquals(expected, params, "parameters after local steps up to step " + first + ", " + sampling + ", " + channel);
      }
    } finally {
      shards.unpersist(false);
    }
  }

  /** {@code params} += sum over p, in order, of (b_p / B) (theta_p - params); returns the final states. */
  private float[][] averagedLocalSteps(LanguageModel model, WindowPlan plan, float[] params,
                                       float[][] states, int offset, int first, int k) {
    float[] sum = null;
    float[][] finalStates = states == null ? null : new float[plan.partitions()][];
    for (int p = 0; p < plan.partitions(); p++) {
      int b = plan.sequenceCount(p);
      float[] mine = params.clone();
      float[] state = states == null ? new float[b * HIDDEN] : states[p].clone();
      for (int s = first; s < first + k; s++) {
        if (states == null) {
          state = new float[b * HIDDEN];
        }
        int[] inputs = new int[b * STEPS];
        int[] targets = new int[b * STEPS];
        int row = 0;
        for (long start : plan.windowStarts(p, 0, offset, s)) {
          for (int t = 0; t < STEPS; t++) {
            inputs[t * b + row] = wholeCorpus.get(start + t);
            targets[t * b + row] = wholeCorpus.get(start + t + 1);
          }
          row++;
        }
        float[] grad = new float[params.length];
        model.lossAndGradient(mine, inputs, targets, b, STEPS, state, grad);
        scale(grad, 1f / (b * STEPS));
        GradientClipping.clipByGlobalNorm(grad, CLIP);
        new Sgd(LR).apply(mine, grad);
      }
      float weight = (float) b / BATCH;
      for (int i = 0; i < mine.length; i++) {
        mine[i] = (mine[i] - params[i]) * weight;
      }
      if (sum == null) {
        sum = mine;
      } else {
        for (int i = 0; i < sum.length; i++) {
          sum[i] += mine[i];
        }
      }
      if (finalStates != null) {
        finalStates[p] = state;
      }
    }
    for (int i = 0; i < params.length; i++) {
      params[i] -= 1f * -sum[i];
    }
    return finalStates;
  }

  /**
   * The aggregation tree: added on the executors (broadcast channel: a Spark job per level) or by
   * the driver (in-process channel), 8 partitions in groups of 2 give the same bits, whether the
   * rounds are single steps or local steps; on the executors the driver receives 2 results.
   */
  @Tag("bit-identity")
  @ParameterizedTest
  @EnumSource(Sampling.class)
  void theTreeAddedOnExecutorsEqualsTheDriversTreeAndTheDriverReceivesAtMostTheFanIn(Sampling sampling) {
    LanguageModel model = new RnnModel(corpus.vocabulary().size(), HIDDEN);
    float[] init = new float[model.layout().size()];
    model.initialize(init, SEED);
    WindowPlan plan = new WindowPlan(corpus.tokens(), BATCH, STEPS, 8, sampling, SEED);
    JavaRDD<TokenShard> shards = layout(plan);
    try {
      for (Synchronizer.LocalSteps local : new Synchronizer.LocalSteps[] {null, new Synchronizer.LocalSteps(LR, CLIP)}) {
        List<float[]> results = new ArrayList<>();
        for (StepChannel.Kind channel : StepChannel.Kind.values()) {
          DistributedStep step = new DistributedStep(sc, shards, model, new DistributedStep.Layout(plan, 2), channel);
          float[] params = init.clone();
          float[][] states = Synchronizer.zeroStates(plan, model);
          for (int s = 0; s < 3; s++) {
            Synchronizer.Totals totals = step.run(params, states, new SyncRound(0, plan.offset(0), s, 1), local);
            assertEquals(channel == StepChannel.Kind.BROADCAST ? 2 : 8, totals.ingress().results(), channel.toString());
            assertEquals(8, totals.kernels().length);
            if (local == null) {
              applyMeanClipped(totals, params, sgd());
            } else {
              new OuterUpdate(new OuterUpdate.Settings(OuterUpdate.Kind.SGD, 1f, 0f, 0f), params.length, null)
                  .apply(params, totals.vector());
            }
            states = totals.finalStates();
          }
          results.add(params);
        }
        assertArrayEquals(results.get(1), results.get(0), "tree on executors vs on the driver, local steps " + (local != null));
      }
    } finally {
      shards.unpersist(false);
    }
  }

  /** SGD at {@link #LR}, as the driver builds it. */
  private static Optimizer sgd() {
    return Optimizers.create("sgd", OptimizerSettings.DEFAULTS, 0);
  }

  /**
   * The driver's update without local steps: the summed gradient divided by the token count,
   * clipped to {@link #CLIP} by global norm, through {@code optimizer} at {@link #LR}.
   */
  static void applyMeanClipped(Synchronizer.Totals totals, float[] params, Optimizer optimizer) {
    double norm = GradientClipping.scaledNorm(totals.vector(), 1f / totals.tokens(), totals.support());
    optimizer.apply(params, totals.vector(), GradientClipping.clipFactor(norm, CLIP), LR, totals.support());
  }

  /** {@link #TRAINING_STEPS} clipped SGD steps from {@code init}, as the trainer takes them. */
  private static float[] trainedParameters(DistributedStep step, LanguageModel model,
                                           WindowPlan plan, float[] init) {
    float[] params = init.clone();
    float[][] states = Synchronizer.zeroStates(plan, model);
    Optimizer sgd = sgd();
    for (int s = 0; s < TRAINING_STEPS; s++) {
      Synchronizer.Totals totals = step.run(params, states, new SyncRound(0, plan.offset(0), s, 1), null);
      applyMeanClipped(totals, params, sgd);
      states = totals.finalStates();
    }
    return params;
  }

  /**
   * The book's loop in one process over the whole batch (the union of {@code plan}'s partitions,
   * in partition order): returns the first step's averaged gradient and the parameters after
   * {@link #TRAINING_STEPS} steps.
   */
  private List<float[]> singleProcessTrajectory(LanguageModel model, float[] init, WindowPlan plan) {
    Sampling sampling = plan.sampling();
    float[] params = init.clone();
    float[] state = new float[BATCH * HIDDEN];
    int[] inputs = new int[BATCH * STEPS];
    int[] targets = new int[BATCH * STEPS];
    int offset = plan.offset(0);
    assertTrue(plan.stepsPerEpoch(offset) >= TRAINING_STEPS, "corpus long enough for the test");
    float[] firstGradient = null;
    for (int s = 0; s < TRAINING_STEPS; s++) {
      if (sampling == Sampling.RANDOM) {
        state = new float[BATCH * HIDDEN];
      }
      int row = 0;
      for (int p = 0; p < plan.partitions(); p++) {
        for (long start : plan.windowStarts(p, 0, offset, s)) {
          for (int t = 0; t < STEPS; t++) { // time-major (T, B)
            inputs[t * BATCH + row] = wholeCorpus.get(start + t);
            targets[t * BATCH + row] = wholeCorpus.get(start + t + 1);
          }
          row++;
        }
      }
      float[] grad = new float[params.length];
      model.lossAndGradient(params, inputs, targets, BATCH, STEPS, state, grad);
      scale(grad, 1f / (BATCH * STEPS));
      if (firstGradient == null) {
        firstGradient = grad.clone();
      }
      GradientClipping.clipByGlobalNorm(grad, CLIP);
      new Sgd(LR).apply(params, grad);
    }
    List<float[]> out = new ArrayList<>();
    out.add(firstGradient);
    out.add(params);
    return out;
  }

  private static void scale(float[] v, float factor) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= factor;
    }
  }

  /** ||expected - actual|| / ||expected|| below {@code tolerance}. */
  private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += Math.pow(expected[i] - actual[i], 2);
      norm += Math.pow(expected[i], 2);
    }
    double relative = Math.sqrt(diff / norm);
    assertTrue(norm > 0, what + ": reference is zero");
    assertTrue(relative < tolerance, what + ": relative error " + relative + " >= " + tolerance);
  }
}
