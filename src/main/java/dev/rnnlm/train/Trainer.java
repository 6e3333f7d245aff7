package dev.rnnlm.train;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.linalg.RowMajor;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.model.TextGenerator;
import dev.rnnlm.optim.GradientClipping;
import dev.rnnlm.optim.Sgd;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver loop: per step, broadcast the parameters (and carried states), let every
 * partition compute its loss and gradient sums, add them in partition order, divide by the
 * token count, clip by global norm and apply SGD. Per epoch: log, append metrics, sample.
 */
public final class Trainer {
  private static final int SAMPLE_TOKENS = 50;

  private final JavaSparkContext sc;
  private final TrainSettings settings;
  private final PrintStream out;
  private final ModelStore store;

  public Trainer(JavaSparkContext sc, TrainSettings settings, PrintStream out) {
    this.sc = sc;
    this.settings = settings;
    this.out = out;
    this.store = new ModelStore(sc.hadoopConfiguration());
  }

  /** What a finished run reports: the saved model and the perplexities to judge it by. */
  public record Outcome(SavedModel model, List<Double> epochPerplexities, double unigramPerplexity) {}

  public Outcome run() throws IOException {
    TrainSettings s = settings;
    TextPipeline pipeline = new TextPipeline(s.normalize(), s.tokens());
    try (TrainingData data = TrainingData.prepare(sc, s)) {
      return train(data, pipeline);
    }
  }

  private Outcome train(TrainingData data, TextPipeline pipeline) throws IOException {
    TrainSettings s = settings;
    WindowPlan plan = data.plan();
    Vocabulary vocab = data.vocabulary();
    if (data.malformedSequences() > 0) {
      out.println("warning: replaced " + data.malformedSequences()
          + " malformed UTF-8 byte sequences in " + s.input());
    }
    out.printf("corpus: %d tokens, vocabulary %d, unigram perplexity %.3f, %d partitions, BLAS %s%n",
        data.tokens(), vocab.size(), data.unigramPerplexity(), plan.partitions(),
        RowMajor.implementation());
    if (data.validation() != null) {
      out.printf("validation: %d tokens%n", data.validationTokens());
    }
    if (!RowMajor.isNative()) {
      out.println("warning: native BLAS not found, using a pure-Java fallback (slower); "
          + "install libopenblas0-pthread");
    }

    LanguageModel model = new RnnModel(vocab.size(), s.hidden());
    float[] params = new float[model.layout().size()];
    model.initialize(params, s.seed());
    Sgd sgd = new Sgd(s.lr());
    DistributedStep distributedStep = new DistributedStep(sc, data.shards(), model, plan);
    String modelDir = s.modelDir();
    store.resetMetrics(modelDir);
    List<Double> perplexities = new ArrayList<>();
    List<Double> valPerplexities = new ArrayList<>();
    List<Integer> epochs = new ArrayList<>();
    Progress progress = new Progress(out, Progress.isTerminal(out));
    long stepsDone = 0;
    long tokensSeen = 0;
    long started = System.nanoTime();
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      long epochStart = System.nanoTime();
      int offset = plan.offset(epoch);
      int steps = plan.stepsPerEpoch(offset);
      float[][] states = initialStates(plan, model);
      double lossSum = 0;
      long tokens = 0;
      double normSum = 0;
      int clipped = 0;
      progress.startEpoch(epoch + 1, steps);
      for (int step = 0; step < steps; step++) {
        sc.setJobDescription("epoch " + (epoch + 1) + " step " + (step + 1) + "/" + steps);
        DistributedStep.Totals totals = distributedStep.run(params, states, epoch, offset, step);
        double norm = applyAveragedGradient(totals, params, s.clip(), sgd);
        states = totals.finalStates();
        lossSum += totals.lossSum();
        tokens += totals.tokens();
        normSum += norm;
        clipped += norm > s.clip() ? 1 : 0;
        progress.stepDone(step + 1, tokens);
      }
      progress.endEpoch();
      stepsDone += steps;
      tokensSeen += tokens;
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      double perplexity = Math.exp(lossSum / tokens);
      perplexities.add(perplexity);
      Double valPerplexity = null;
      if (data.validation() != null) {
        sc.setJobDescription("epoch " + (epoch + 1) + " validation");
        valPerplexity = Evaluator.score(sc, data.validation(), model, params, s.steps()).perplexity();
      }
      logEpoch(modelDir, epoch + 1, perplexity, tokens / seconds, normSum / steps,
          (double) clipped / steps, (System.nanoTime() - started) / 1e9, valPerplexity);
      epochs.add(epoch + 1);
      if (valPerplexity != null) {
        valPerplexities.add(valPerplexity);
      }
      store.writePlot(modelDir, epochs, perplexities, valPerplexities);
      if (s.sampleEvery() > 0 && ((epoch + 1) % s.sampleEvery() == 0 || epoch + 1 == s.epochs())) {
        out.println("sample: " + sample(model, params, vocab, pipeline, data.samplePrefix()));
      }
    }
    SavedModel saved = new SavedModel(model.cellType(), s.hidden(), s.normalize(), s.tokens(), vocab,
        params, new SavedModel.TrainingPosition(s.epochs(), stepsDone, tokensSeen),
        TrainOptions.toMap(s, plan.partitions()), provenance(data.tokens()));
    store.save(modelDir, saved);
    return new Outcome(saved, perplexities, data.unigramPerplexity());
  }

  /**
   * The driver's update: divide the summed gradient by the step's token count (the mean loss's
   * gradient), clip it by global norm and apply SGD. Returns the norm before clipping.
   */
  static double applyAveragedGradient(DistributedStep.Totals totals, float[] params, float clip,
                                      Sgd sgd) {
    float[] grad = totals.gradSum();
    float inv = 1f / totals.tokens();
    for (int i = 0; i < grad.length; i++) {
      grad[i] *= inv;
    }
    double norm = GradientClipping.clipByGlobalNorm(grad, clip);
    sgd.apply(params, grad);
    return norm;
  }

  /** Zero states per partition for sequential sampling; null (zeros every step) for random. */
  static float[][] initialStates(WindowPlan plan, LanguageModel model) {
    if (plan.sampling() != Sampling.SEQUENTIAL) {
      return null;
    }
    float[][] states = new float[plan.partitions()][];
    for (int p = 0; p < states.length; p++) {
      states[p] = new float[plan.sequenceCount(p) * model.stateSize()];
    }
    return states;
  }

  private void logEpoch(String modelDir, int epoch, double perplexity, double tokensPerSec,
                        double gradNorm, double clippedFraction, double seconds,
                        Double valPerplexity) throws IOException {
    out.printf("epoch %d perplexity %.3f tokens/s %.0f grad_norm %.4f clipped %.2f elapsed %.1fs%s%n",
        epoch, perplexity, tokensPerSec, gradNorm, clippedFraction, seconds,
        valPerplexity == null ? "" : String.format(" val_perplexity %.3f", valPerplexity));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("perplexity", perplexity);
    m.put("tokens_per_sec", tokensPerSec);
    m.put("grad_norm", gradNorm);
    m.put("clipped_fraction", clippedFraction);
    m.put("seconds", seconds);
    if (valPerplexity != null) {
      m.put("val_perplexity", valPerplexity);
    }
    store.appendMetrics(modelDir, m);
  }

  /** Greedy continuation of the prefix, on one line (line breaks shown as "\\n"). */
  private static String sample(LanguageModel model, float[] params, Vocabulary vocab,
                               TextPipeline pipeline, List<Integer> prefix) {
    List<Integer> ids = new TextGenerator(model, params).generate(prefix, SAMPLE_TOKENS, 0f, 0);
    return pipeline.tokenizer().join(ids.stream().map(vocab::token).toList()).replace("\n", "\\n");
  }

  private Map<String, String> provenance(long tokens) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("input", settings.input());
    p.put("tokens", Long.toString(tokens));
    p.put("created", Instant.now().toString());
    p.put("spark_version", sc.version());
    return p;
  }

}
