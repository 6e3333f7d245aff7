package dev.rnnlm.train;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.engine.ExecutorWatch;
import dev.rnnlm.engine.Synchronizer;
import dev.rnnlm.io.Checkpoint;
import dev.rnnlm.io.CheckpointStore;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.linalg.Kernels;
import dev.rnnlm.linalg.PackedMatrix;
import dev.rnnlm.linalg.RowMajor;
import dev.rnnlm.model.BatchScorer;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.TextGenerator;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver loop: per step, broadcast the parameters (and carried states), let every
 * partition compute its loss and gradient sums, add them in partition order, divide by the
 * token count, clip by global norm and apply the optimizer. Per epoch: validate, sample,
 * checkpoint. What a run writes besides its checkpoints and model (progress and epoch lines,
 * {@code metrics.jsonl}, {@code training.png}, the Spark metrics gauges) goes through
 * {@link TrainingListener}s: those, registered first, then any {@link #addListener} adds. With
 * {@code --resume} it continues from the newest good checkpoint, bit for bit as if it had never
 * stopped.
 */
public final class Trainer {
  private static final int SAMPLE_TOKENS = 50;

  private final JavaSparkContext sc;
  private final TrainSettings settings;
  private final PrintStream out;
  private final ModelStore store;
  private final CheckpointStore checkpoints;
  private Vocabulary vocabulary;
  /** How the run's text becomes ids: fixed before reading, saved with every snapshot. */
  private TextPipeline text;
  /** The newest checkpoint written or resumed from, if any (written by the writer's thread). */
  private volatile String lastCheckpoint;
  /** Checkpoints, metrics and plots off the driver's critical path; one per run. */
  private BackgroundWriter writer;
  /** Added by the embedding program, called after the run's own. */
  private final List<TrainingListener> addedListeners = new ArrayList<>();
  /** The run's listeners: its own outputs, then the added ones. */
  private List<TrainingListener> listeners;
  /** The console listener, which the trainer's lines within an epoch go through. */
  private Progress console;
  /** The figures of the latest synchronization, updated in place for {@link TrainingListener#stepEnded}. */
  private final StepMetrics stepMetrics = new StepMetrics();
  /** Built once: a step's call of the listeners allocates nothing. */
  private final ListenerCall stepEnded = l -> l.stepEnded(stepMetrics);
  /** When the last checkpoint was queued, or the first step began: --checkpoint-every-minutes counts from it. */
  private long lastCheckpointNanos;
  private final SavedModel base;  // warm start, or null
  /** The training text: the files of {@code --input} unless {@link #readingFrom} gives another source. */
  private CorpusSource corpus;

  public Trainer(JavaSparkContext sc, TrainSettings settings, PrintStream out) {
    this(sc, settings, out, null);
  }

  /**
   * A trainer that warm-starts from {@code base} when given: its vocabulary is kept fixed and
   * its parameters are the starting point (instead of a fresh initialization).
   */
  public Trainer(JavaSparkContext sc, TrainSettings settings, PrintStream out, SavedModel base) {
    this.sc = sc;
    this.base = base;
    this.settings = settings;
    this.corpus = CorpusSource.files(settings.input());
    this.out = out;
    this.store = new ModelStore(sc.hadoopConfiguration());
    this.checkpoints = new CheckpointStore(sc.hadoopConfiguration());
  }

  /**
   * Adds {@code listener} to the run's listeners, after its own outputs and the ones added before
   * (see {@link TrainingListener} for when each is called). Returns this trainer.
   */
  public Trainer addListener(TrainingListener listener) {
    addedListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Trains on {@code corpus} instead of the files of {@code --input}, which then only names the
   * training text (in messages and the model's record). With {@code --val-fraction} the held-out
   * text is the tail of each input file; a source of lines is one file. Returns this trainer.
   */
  public Trainer readingFrom(CorpusSource corpus) {
    this.corpus = Objects.requireNonNull(corpus, "corpus");
    return this;
  }

  /** What a finished run reports: the saved model and the perplexities to judge it by. */
  public record Outcome(SavedModel model, List<Double> epochPerplexities, double unigramPerplexity) {}

  /** Spark's local properties naming the job group of this thread's jobs, and the job's description. */
  private static final String JOB_GROUP = "spark.jobGroup.id";
  private static final String JOB_DESCRIPTION = "spark.job.description";

  /**
   * Trains (see the class comment). Every Spark job of the run is in one job group, named after
   * the model directory, so the Spark UI shows and can cancel the run's jobs together; the
   * calling thread's group is restored afterwards. A run whose application lost every executor
   * and got none back ends with {@link ExecutorWatch}'s failure instead of waiting forever.
   */
  public Outcome run() throws IOException {
    String groupBefore = sc.getLocalProperty(JOB_GROUP);
    String descriptionBefore = sc.getLocalProperty(JOB_DESCRIPTION);
    String group = "rnnlm-train " + settings.modelDir();
    sc.setJobGroup(group, "spark-rnn-lm train: " + settings.input() + " -> " + settings.modelDir(), false);
    try (ExecutorWatch watch = ExecutorWatch.start(sc.sc(), group)) {
      try {
        return runInGroup();
      } catch (Exception e) {
        // Spark's SparkException is checked but undeclared, hence Exception (rethrown precisely).
        RuntimeException lost = watch.failure(e);
        if (lost != null) {
          throw lost;
        }
        throw e;
      }
    } finally {
      sc.setLocalProperty(JOB_GROUP, groupBefore);
      sc.setLocalProperty(JOB_DESCRIPTION, descriptionBefore);
    }
  }

  private Outcome runInGroup() throws IOException {
    long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    TrainSettings s = settings;
    if (s.tokens() == Tokenizer.BPE && base == null) {
      checkMemoryBeforeLearning();
    }
    TextPipeline pipeline = TrainingText.of(sc, s, corpus, base, s.resume() ? newestCheckpointModel() : null, out);
    this.text = pipeline;
    try (TrainingData data = TrainingData.prepare(sc, s, corpus, pipeline, base == null ? null : base.vocabulary());
         BackgroundWriter w = new BackgroundWriter()) {
      writer = w;
      if (s.verbose()) {
        out.printf("start-up: JVM + Spark %.2f s, reading + vocabulary %.2f s, layout %.2f s%n",
            sinceJvmStart / 1e3, data.report().readNanos() / 1e9, data.report().layoutNanos() / 1e9);
      }
      return train(data, pipeline);
    }
  }

  private Outcome train(TrainingData data, TextPipeline pipeline) throws IOException {
    TrainSettings s = settings;
    WindowPlan plan = data.plan();
    Vocabulary vocab = data.vocabulary();
    this.vocabulary = vocab;
    if (data.report().malformedSequences() > 0) {
      out.println("warning: replaced " + data.report().malformedSequences()
          + " malformed UTF-8 byte sequences in " + s.input());
    }
    out.printf("corpus: %d tokens, vocabulary %d, unigram perplexity %.3f, %d partitions, BLAS %s%n",
        data.tokens(), vocab.size(), data.report().unigramPerplexity(), plan.partitions(),
        Kernels.blas());
    if (Kernels.slowBlasWarning() != null) {
      out.println("warning: " + Kernels.slowBlasWarning());
    }
    out.println("recurrent products: " + PackedMatrix.implementation());
    if (data.validation() != null) {
      out.printf("validation: %d tokens%n", data.validationTokens());
    }
    if (pipeline.subwords() != null) {
      out.printf("subwords: %s, %.2f bytes of text per training token%n", pipeline.subwords(),
          data.report().bytesPerToken());
    }
    if (base != null) {
      out.printf("warm start: vocabulary of %d fixed; %d training tokens unknown to it map to <unk>%n",
          vocab.size(), data.report().unknownTokens());
    }
    if (!RowMajor.isNative()) {
      out.println("warning: native BLAS not found, using a pure-Java fallback (slower); "
          + "install libopenblas0-pthread");
    }

    LanguageModel model = s.architecture().newModel(vocab.size());
    int maxSequences = 0;
    for (int p = 0; p < plan.partitions(); p++) {
      maxSequences = Math.max(maxSequences, plan.sequenceCount(p));
    }
    checkMemory(model, plan.partitions(), maxSequences, data.validation() == null ? null : data.validation().plan());
    Checkpoint resumed = s.resume() ? resumeFrom(vocab, plan) : null;
    float[] params = new float[model.layout().size()];
    if (resumed == null && base != null) {
      if (base.params().length != params.length) {
        throw new IllegalArgumentException("warm start: the base model has " + base.params().length
            + " parameters, --cell " + s.cell() + " --hidden " + s.hidden() + " --layers " + s.layers()
            + " needs " + params.length);
      }
      System.arraycopy(base.params(), 0, params, 0, params.length);
    } else if (resumed == null) {
      model.initialize(params, s.seed());
    } else {
      System.arraycopy(resumed.model().params(), 0, params, 0, params.length);
    }
    try (StepLoop loop = new StepLoop(sc, data, model, params, s).reporting(out, "epoch")) {
      return runEpochs(data, pipeline, new Start(model, params, resumed), loop);
    }
  }

  /** Where the epochs start: the model, its parameters, and the checkpoint resumed from (or null). */
  private record Start(LanguageModel model, float[] params, Checkpoint resumed) {}

  private Outcome runEpochs(TrainingData data, TextPipeline pipeline, Start start, StepLoop loop)
      throws IOException {
    TrainSettings s = settings;
    WindowPlan plan = data.plan();
    Vocabulary vocab = data.vocabulary();
    LanguageModel model = start.model();
    float[] params = start.params();
    Checkpoint resumed = start.resumed();
    if (resumed != null) {
      loop.restore(resumed.model().position().steps(), resumed.carried().optimizers());
    }
    String modelDir = s.modelDir();
    List<Double> perplexities = new ArrayList<>();
    List<Double> valPerplexities = new ArrayList<>();
    long stepsDone = 0;
    long tokensSeen = 0;
    int firstEpoch = 0;
    if (resumed == null) {
      store.resetMetrics(modelDir);
    } else {
      perplexities.addAll(resumed.perplexities());
      valPerplexities.addAll(resumed.valPerplexities());
      loop.validated(valPerplexities);
      stepsDone = resumed.model().position().steps();
      tokensSeen = resumed.model().position().tokensSeen();
      firstEpoch = resumed.epoch();
      store.truncateMetrics(modelDir, firstEpoch);
      store.truncateValidations(modelDir, stepsDone);
    }
    console = new Progress(out, Progress.isTerminal(out), text.subwords() != null, s.sync().localSteps());
    listeners = new ArrayList<>(List.of(console, new MetricsAppender(writer, store, modelDir),
        new PlotWriter(writer, store, modelDir, s.epochs(), perplexities, valPerplexities),
        TrainingGauges.LISTENER));
    listeners.addAll(addedListeners);
    long started = System.nanoTime();
    lastCheckpointNanos = started;
    for (int epoch = firstEpoch; epoch < s.epochs(); epoch++) {
      long epochStart = System.nanoTime();
      boolean continuing = resumed != null && epoch == resumed.epoch();
      if (continuing) {
        loop.resumeEpoch(epoch, resumed.step(), resumed.states());
      } else {
        loop.startEpoch(epoch);
      }
      int steps = loop.stepsInEpoch();
      Checkpoint.RunningSums sums = continuing ? resumed.sums() : Checkpoint.RunningSums.NONE;
      long tokensBefore = sums.tokens();
      long validationNanos = 0; // within the epoch: not training time
      int epochNumber = epoch + 1;
      tellListeners(l -> l.epochStarted(epochNumber, steps));
      long roundStart = stepsDone;
      while (loop.hasNextStep()) {
        StepLoop.Step done;
        long syncStart = System.nanoTime();
        try {
          done = loop.next();
        } catch (TrainingDivergedException e) {
          finishWritesQuietly();
          throw e.withCheckpoint(lastCheckpoint);
        }
        Synchronizer.Totals totals = done.totals();
        if (s.sync().localSteps()) {
          // Per step: the partitions' mean local norm, and the share of partitions that clipped.
          int partitions = plan.partitions();
          sums = sums.plus(totals.lossSum(), totals.tokens(), totals.localNormSum() / partitions,
              (double) totals.localClipped() / partitions);
        } else {
          sums = sums.plus(totals.lossSum(), totals.tokens(), done.norm(), done.norm() > s.clip() ? 1 : 0);
        }
        roundStart = stepsDone;
        stepsDone += done.steps();
        tokensSeen += totals.tokens();
        long now = System.nanoTime();
        stepMetrics.set(stepsDone, epoch + 1, done.step() + 1, steps, totals.lossSum(), totals.tokens(),
            done.norm(), sums.tokens() - tokensBefore, (now - epochStart - validationNanos) / 1e9,
            (now - syncStart) / 1e9);
        tellListeners(stepEnded);
        if ((passedMultiple(roundStart, stepsDone, s.checkpointEverySteps()) || checkpointIsDue())
            && loop.hasNextStep()) {
          checkpoint(start, loop, plan, new Checkpoint.Position(epoch, done.step() + 1), sums,
              stepsDone, tokensSeen, new Checkpoint.History(perplexities, valPerplexities));
        }
        if (data.validation() != null && passedMultiple(roundStart, stepsDone, s.validateEverySteps())
            && loop.hasNextStep()) {
          validationNanos += validateWithinEpoch(data, model, params, loop,
              new Checkpoint.Position(epoch, done.step() + 1), stepsDone);
        }
      }
      double seconds = (System.nanoTime() - epochStart - validationNanos) / 1e9;
      double perplexity = Math.exp(sums.lossSum() / sums.tokens());
      perplexities.add(perplexity);
      Double valPerplexity = null;
      Double valSeconds = null;
      if (data.validation() != null) {
        loop.releaseTaskSlots();
        sc.setJobDescription("epoch " + (epoch + 1) + " validation");
        long valStart = System.nanoTime();
        valPerplexity = Evaluator.score(sc, data.validation(), model, params, s.steps()).perplexity();
        valSeconds = (System.nanoTime() - valStart) / 1e9;
        valPerplexities.add(valPerplexity);
        float lrBefore = loop.nextLr();
        float lrAfter = loop.validated(valPerplexities);
        if (lrAfter != lrBefore) {
          out.printf("lr %s -> %s: validation perplexity %.3f is not below the best so far (%.3f)%n",
              lrBefore, lrAfter, valPerplexity,
              valPerplexities.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        }
      }
      double bitsPerByte = bitsPerByte(sums.lossSum() / sums.tokens(), data.report().bytesPerToken());
      Double valBitsPerByte = valPerplexity == null ? null
          : bitsPerByte(Math.log(valPerplexity), data.heldOut().bytesPerToken());
      EpochMetrics metrics = new EpochMetrics(epoch + 1, perplexity, valPerplexity, valSeconds,
          new EpochMetrics.Bits(bitsPerByte, valBitsPerByte),
          new EpochMetrics.Pace((sums.tokens() - tokensBefore) / seconds, (System.nanoTime() - started) / 1e9,
              loop.syncsInEpoch()),
          new EpochMetrics.Gradients(sums.normSum() / steps, sums.clipped() / steps));
      tellListeners(l -> l.epochEnded(metrics));
      if (s.sampleEvery() > 0 && ((epoch + 1) % s.sampleEvery() == 0 || epoch + 1 == s.epochs())) {
        out.println("sample: " + sample(model, params, vocab, pipeline, data.samplePrefix()));
      }
      boolean epochCheckpoint = s.checkpointEvery() > 0 && (epoch + 1) % s.checkpointEvery() == 0;
      boolean stepCheckpoint = passedMultiple(roundStart, stepsDone, s.checkpointEverySteps());
      if (epochCheckpoint || stepCheckpoint) {
        checkpoint(start, loop, plan, Checkpoint.Position.startOf(epoch + 1), sums,
            stepsDone, tokensSeen, new Checkpoint.History(perplexities, valPerplexities));
      }
    }
    finishWrites();
    SavedModel saved = snapshot(model, params, s.epochs(), stepsDone, tokensSeen, plan);
    store.save(modelDir, saved);
    Outcome outcome = new Outcome(saved, perplexities, data.report().unigramPerplexity());
    tellListeners(l -> l.runFinished(outcome));
    return outcome;
  }

  /**
   * --validate-every-steps: scores the validation text at {@code at} (after global step
   * {@code stepsDone}), prints a line and appends it to {@code DIR/validation.jsonl}. The
   * schedule does not see it. Returns the time it took.
   */
  private long validateWithinEpoch(TrainingData data, LanguageModel model, float[] params, StepLoop loop,
                                   Checkpoint.Position at, long stepsDone) throws IOException {
    long start = System.nanoTime();
    loop.releaseTaskSlots();
    sc.setJobDescription("epoch " + (at.epoch() + 1) + " step " + at.step() + " validation");
    double perplexity = Evaluator.score(sc, data.validation(), model, params, settings.steps()).perplexity();
    double bits = bitsPerByte(Math.log(perplexity), data.heldOut().bytesPerToken());
    long took = System.nanoTime() - start;
    console.println(String.format("validation at epoch %d step %d/%d: val_perplexity %.3f%s", at.epoch() + 1,
        at.step(), loop.stepsInEpoch(), perplexity,
        text.subwords() == null ? "" : String.format(" val_bits_per_byte %.4f", bits)));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("epoch", at.epoch() + 1);
    json.put("step", at.step());
    json.put("steps", stepsDone);
    json.put("val_perplexity", perplexity);
    json.put("val_bits_per_byte", bits);
    json.put("val_seconds", took / 1e9);
    String modelDir = settings.modelDir();
    submit("a validation", () -> store.appendValidation(modelDir, json));
    return took;
  }

  /**
   * Stops the run before its first step when the memory estimate does not fit the heaps (see
   * {@link MemoryEstimate}); with --skip-memory-check it only warns. A task's workspace is the
   * larger of a training window's and a validation group's ({@code validation}: null without).
   */
  private void checkMemory(LanguageModel model, int partitions, int maxSequences,
                           Evaluator.StreamPlan validation) {
    int steps = settings.steps();
    boolean oneJvm = sc.isLocal();
    int taskSlots = oneJvm ? sc.defaultParallelism()
        : sc.getConf().getInt("spark.executor.cores", 1) / sc.getConf().getInt("spark.task.cpus", 1);
    boolean localSteps = settings.sync().localSteps();
    long optimizerState = (Optimizers.stateArrays(settings.optimizer(), settings.optimizerSettings())
        + (localSteps ? OuterUpdate.stateArrays(settings.sync().outer()) : 0)) * model.layout().size();
    MemoryEstimate.Shape shape = MemoryEstimate.Shape.of(model, steps, maxSequences);
    if (validation != null) {
      int group = BatchScorer.groupLimit(model, steps, validation.maxStreamsPerPartition());
      shape = shape.withWorkspaceFloats(Math.max(shape.workspaceFloats(), model.workspaceFloats(group, steps)));
    }
    MemoryEstimate estimate = MemoryEstimate.of(shape,
        new MemoryEstimate.Placement(partitions, optimizerState, oneJvm,
            Math.max(1, Math.min(partitions, taskSlots)), localSteps));
    long executorHeap = sc.getConf().getSizeAsBytes("spark.executor.memory", "1g");
    long maxResult = sc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
    String smallerVocabulary = switch (settings.tokens()) {
      case BPE -> "a smaller --vocab-size";
      case TOKENIZER -> "a tokenizer with fewer tokens, --softmax adaptive";
      default -> MemoryEstimate.COUNTED_VOCABULARY;
    };
    String why = estimate.whyNotFitting(Runtime.getRuntime().maxMemory(), executorHeap, maxResult, oneJvm,
        smallerVocabulary);
    if (why != null && !settings.skipMemoryCheck()) {
      throw new InsufficientMemoryException(why);
    }
    if (why != null) {
      out.println("warning: " + why);
    }
  }

  /**
   * {@code --tokens bpe}: the memory check for the vocabulary asked for, before minutes of
   * learning it (the check before the first step then repeats it with the corpus's layout).
   */
  private void checkMemoryBeforeLearning() {
    TrainSettings s = settings;
    int partitions = s.partitions() > 0 ? s.partitions() : Math.max(1, Math.min(s.batch(), sc.defaultParallelism()));
    LanguageModel model = s.architecture().newModel(s.vocabSize());
    checkMemory(model, partitions, (s.batch() + partitions - 1) / partitions, null);
  }

  /** The model of the newest committed checkpoint in --model DIR, or null when there is none or it cannot be read. */
  private SavedModel newestCheckpointModel() throws IOException {
    for (org.apache.hadoop.fs.Path candidate : checkpoints.list(settings.modelDir())) {
      try {
        return store.load(candidate.toString());
      } catch (IOException | RuntimeException e) {
        // a corrupt checkpoint: resumeFrom says so and skips it
      }
    }
    return null;
  }

  /** The model as it stands, ready to be saved as the result or inside a checkpoint. */
  private SavedModel snapshot(LanguageModel model, float[] params, int epochsDone, long stepsDone,
                              long tokensSeen, WindowPlan plan) {
    TrainSettings s = settings;
    return new SavedModel(s.architecture(), text, vocabulary, params.clone(),
        new SavedModel.Lineage(new SavedModel.TrainingPosition(epochsDone, stepsDone, tokensSeen),
            TrainOptions.toMap(s, plan.partitions()), provenance(plan.tokens())));
  }

  /**
   * Whether a multiple of {@code every} lies in {@code (from, to]}: a checkpoint every N steps
   * falls at the end of the synchronization that reaches it. False when {@code every} is 0.
   */
  static boolean passedMultiple(long from, long to, int every) {
    return every > 0 && to / every > from / every;
  }

  /** Whether --checkpoint-every-minutes has passed since the last checkpoint (or the run's start). */
  private boolean checkpointIsDue() {
    double minutes = settings.checkpointEveryMinutes();
    return minutes > 0 && System.nanoTime() - lastCheckpointNanos >= minutes * 60e9;
  }

  /**
   * Puts together the checkpoint whose next step is {@code at}, taken after {@code stepsDone}
   * steps and {@code tokensSeen} target tokens, and queues it on the writer: the model (its
   * parameters copied), the optimizers' states, the completed epochs' perplexities, and within an
   * epoch the loop's carried states and the epoch's running sums {@code sums}; at an epoch's start
   * ({@code at.step() == 0}) the next step starts from zero states and empty sums, so neither is
   * kept. The checkpoint holds copies: the driver moves on while it is written.
   */
  private void checkpoint(Start start, StepLoop loop, WindowPlan plan, Checkpoint.Position at,
                          Checkpoint.RunningSums sums, long stepsDone, long tokensSeen,
                          Checkpoint.History history) throws IOException {
    boolean epochStart = at.step() == 0;
    Checkpoint c = new Checkpoint(
        snapshot(start.model(), start.params(), at.epoch(), stepsDone, tokensSeen, plan), at,
        new Checkpoint.Carried(epochStart ? null : loop.states(), loop.optimizerStates()),
        epochStart ? Checkpoint.RunningSums.NONE : sums, history);
    lastCheckpointNanos = System.nanoTime();
    String path = CheckpointStore.pathOf(settings.modelDir(), stepsDone).toString();
    submit("checkpoint at step " + stepsDone, () -> lastCheckpoint =
        checkpoints.save(settings.modelDir(), stepsDone, c, settings.keepCheckpoints()).toString());
    tellListeners(l -> l.checkpointWritten(stepsDone, path));
  }

  /** One event, told to a listener. */
  @FunctionalInterface
  private interface ListenerCall {
    void on(TrainingListener listener) throws IOException;
  }

  /**
   * Tells every listener of the run, in order; the first that throws stops the run, an
   * {@code IOException} naming the last good checkpoint (metrics and plot writes fail this way).
   */
  private void tellListeners(ListenerCall call) throws IOException {
    for (int i = 0; i < listeners.size(); i++) { // indexed: no iterator per step
      try {
        call.on(listeners.get(i));
      } catch (IOException e) {
        throw withLastCheckpoint(e);
      }
    }
  }

  private void submit(String what, BackgroundWriter.Write write) throws IOException {
    try {
      writer.submit(what, write);
    } catch (IOException e) {
      throw withLastCheckpoint(e);
    }
  }

  private void finishWrites() throws IOException {
    try {
      writer.finish();
    } catch (IOException e) {
      throw withLastCheckpoint(e);
    }
  }

  /** Before a failure is reported: the writes in flight finish, so the last checkpoint is known. */
  private void finishWritesQuietly() {
    try {
      writer.finish();
    } catch (IOException e) {
      // the run is failing already; the last checkpoint written is still named
    }
  }

  private IOException withLastCheckpoint(IOException e) {
    return new IOException(e.getMessage() + "; last good checkpoint: "
        + (lastCheckpoint == null ? "none" : lastCheckpoint), e);
  }

  /**
   * The newest good checkpoint, checked against this run: the same vocabulary and the options
   * that decide the trajectory. Starts from scratch, saying so, when there is none.
   */
  private Checkpoint resumeFrom(Vocabulary vocab, WindowPlan plan) throws IOException {
    Optional<CheckpointStore.Loaded> found = checkpoints.loadNewest(settings.modelDir(), out);
    if (found.isEmpty()) {
      out.println("resume: no checkpoint in " + settings.modelDir() + ", starting from scratch");
      return null;
    }
    Checkpoint c = found.get().checkpoint();
    Map<String, String> then = c.model().training();
    Map<String, String> now = TrainOptions.toMap(settings, plan.partitions());
    for (TrainOption o : TrainOptions.ALL) {
      String key = o.name();
      // A checkpoint older than an option was trained at its default.
      String before = then.containsKey(key) || !o.isRecorded() ? then.get(key) : o.get(TrainSettings.DEFAULTS);
      if (!now.containsKey(key) || Objects.equals(now.get(key), before)) {
        continue;
      }
      if (o.effect().fixedOnResume()) {
        throw new IllegalArgumentException("--resume: --" + key + " is " + now.get(key)
            + " but checkpoint " + found.get().path() + " was trained with " + before);
      }
      if (o.effect() == TrainOption.Effect.ADJUSTABLE) {
        out.printf("resume: --%s changed from %s to %s%n", key, before, now.get(key));
      }
    }
    if (!c.model().vocabulary().tokens().equals(vocab.tokens())) {
      throw new IllegalArgumentException("--resume: the input's vocabulary differs from checkpoint "
          + found.get().path() + " (did the input change?)");
    }
    out.printf("resume: from %s (epoch %d, step %d)%n", found.get().path(), c.epoch() + 1, c.step());
    lastCheckpoint = found.get().path().toString();
    return c;
  }

  /** Greedy continuation of the prefix, on one line (line breaks shown as "\\n"). */
  private static String sample(LanguageModel model, float[] params, Vocabulary vocab,
                               TextPipeline pipeline, List<Integer> prefix) {
    List<Integer> ids = new TextGenerator(model, params).generate(prefix, SAMPLE_TOKENS, 0f, 0);
    return pipeline.join(ids, vocab).replace("\n", "\\n");
  }

  /** A mean loss per token (nats) as bits per byte of text, at {@code bytesPerToken}. */
  public static double bitsPerByte(double natsPerToken, double bytesPerToken) {
    return natsPerToken / Math.log(2) / bytesPerToken;
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
