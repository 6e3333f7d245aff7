package dev.rnnlm.train;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.LanguageModels;
import dev.rnnlm.optim.LearningRateSchedule;
import dev.rnnlm.optim.OptimizerSettings;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.ScheduleSettings;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;
import java.util.List;

/**
 * Everything a training run is given, validated: a value that cannot work is rejected when the
 * settings are built, naming the option and the value ({@code "--batch must be > 0, got -3"}).
 * Built by {@link Builder}, whose defaults are the option table's ({@link TrainOptions#ALL}, the
 * book's configuration): {@code TrainSettings.builder().hidden(128).build()}, or from option
 * values by name with {@link TrainOptions#fromMap}.
 */
public final class TrainSettings {
  /** Every option at its default (no input, no model directory). */
  public static final TrainSettings DEFAULTS = builder().build();
  private final String input;
  private final String modelDir;
  private final int epochs;
  private final int hidden;
  private final String cell;
  private final int layers;
  private final float dropout;
  private final int embedding;
  private final boolean tieWeights;
  private final String softmax;
  private final List<Integer> cutoffs;
  private final int batch;
  private final int steps;
  private final float lr;
  private final float clip;
  private final Sampling sampling;
  private final Tokenizer tokens;
  private final Normalizer normalize;
  private final long minFreq;
  private final long maxTokens;
  private final int maxVocab;
  private final String tokenizer;
  private final int vocabSize;
  private final int partitions;
  private final String master;
  private final long seed;
  private final int sampleEvery;
  private final String samplePrefix;
  private final String val;
  private final double valFraction;
  private final int valStreams;
  private final int checkpointEvery;
  private final int checkpointEverySteps;
  private final double checkpointEveryMinutes;
  private final int validateEverySteps;
  private final int keepCheckpoints;
  private final boolean resume;
  private final boolean skipMemoryCheck;
  private final boolean verbose;
  private final boolean allowMixedKernels;
  private final Synchronization sync;
  private final String optimizer;
  private final OptimizerSettings optimizerSettings;
  private final String lrSchedule;
  private final ScheduleSettings scheduleSettings;

  private TrainSettings(Builder b) {
    this.input = b.input;
    this.modelDir = b.modelDir;
    this.epochs = b.epochs;
    this.hidden = b.hidden;
    this.cell = b.cell;
    this.layers = b.layers;
    this.dropout = b.dropout;
    this.embedding = b.embedding;
    this.tieWeights = b.tieWeights;
    this.softmax = b.softmax;
    this.cutoffs = List.copyOf(b.cutoffs);
    this.batch = b.batch;
    this.steps = b.steps;
    this.lr = b.lr;
    this.clip = b.clip;
    this.sampling = b.sampling;
    this.tokens = b.tokens;
    this.normalize = b.normalize;
    this.minFreq = b.minFreq;
    this.maxTokens = b.maxTokens;
    this.maxVocab = b.maxVocab;
    this.tokenizer = b.tokenizer;
    this.vocabSize = b.vocabSize;
    this.partitions = b.partitions;
    this.master = b.master;
    this.seed = b.seed;
    this.sampleEvery = b.sampleEvery;
    this.samplePrefix = b.samplePrefix;
    this.val = b.val;
    this.valFraction = b.valFraction;
    this.valStreams = b.valStreams;
    this.checkpointEvery = b.checkpointEvery;
    this.checkpointEverySteps = b.checkpointEverySteps;
    this.checkpointEveryMinutes = b.checkpointEveryMinutes;
    this.validateEverySteps = b.validateEverySteps;
    this.keepCheckpoints = b.keepCheckpoints;
    this.resume = b.resume;
    this.skipMemoryCheck = b.skipMemoryCheck;
    this.verbose = b.verbose;
    this.allowMixedKernels = b.allowMixedKernels;
    this.sync = new Synchronization(b.syncEvery,
        new OuterUpdate.Settings(b.outerOptimizer, b.outerLr, b.outerMomentum, b.outerClip), b.aggregationFanIn);
    this.optimizer = b.optimizer;
    this.optimizerSettings = new OptimizerSettings(b.momentum, b.beta1, b.beta2, b.eps, b.weightDecay);
    this.lrSchedule = b.lrSchedule;
    this.scheduleSettings = new ScheduleSettings(b.lrDecay, b.lrDecayEvery, b.warmupSteps);
    Optimizers.resolve(optimizer, optimizerSettings);
    LearningRateSchedule.create(lrSchedule, lr, scheduleSettings, Long.MAX_VALUE);
    if (sync.localSteps() && (!optimizer.equals("sgd") || !lrSchedule.equals("constant")
        || scheduleSettings.warmupSteps() != null && scheduleSettings.warmupSteps() > 0)) {
      throw new IllegalArgumentException("--sync-every " + Synchronization.everyName(sync.every())
          + " runs local steps with SGD at a constant --lr: it needs --optimizer sgd and --lr-schedule"
          + " constant without warm-up, got --optimizer " + optimizer + " --lr-schedule " + lrSchedule);
    }
    positive("--epochs", epochs);
    positive("--hidden", hidden);
    if (!LanguageModels.CELL_TYPES.contains(cell)) {
      throw new IllegalArgumentException("--cell must be one of "
          + String.join(", ", LanguageModels.CELL_TYPES) + ", got '" + cell + "'");
    }
    positive("--layers", layers);
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
    }
    if (embedding < 0) {
      throw new IllegalArgumentException("--embedding must be >= 0 (0: one-hot inputs), got " + embedding);
    }
    if (tieWeights && embedding != hidden) {
      throw new IllegalArgumentException("--tie-weights needs --embedding equal to --hidden (the last"
          + " layer's size), got --embedding " + embedding + " and --hidden " + hidden);
    }
    checkSoftmax(softmax, cutoffs);
    positive("--batch", batch);
    positive("--steps", steps);
    if (!(lr > 0) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException("--lr must be > 0, got " + lr);
    }
    if (!(clip > 0) || !Float.isFinite(clip)) {
      throw new IllegalArgumentException("--clip must be > 0, got " + clip);
    }
    nonNegative("--min-freq", minFreq);
    nonNegative("--max-tokens", maxTokens);
    nonNegative("--partitions", partitions);
    nonNegative("--sample-every", sampleEvery);
    nonNegative("--checkpoint-every", checkpointEvery);
    if (maxVocab == 1 || maxVocab < 0) {
      throw new IllegalArgumentException("--max-vocab must be 0 (no cap) or >= 2, got " + maxVocab);
    }
    checkSubwords();
    nonNegative("--checkpoint-every-steps", checkpointEverySteps);
    nonNegative("--validate-every-steps", validateEverySteps);
    if (validateEverySteps > 0 && valFraction == 0 && val.isEmpty()) {
      throw new IllegalArgumentException("--validate-every-steps scores the validation text: it needs --val PATH"
          + " or --val-fraction F");
    }
    if (!(checkpointEveryMinutes >= 0) || Double.isInfinite(checkpointEveryMinutes)) {
      throw new IllegalArgumentException("--checkpoint-every-minutes must be >= 0, got " + checkpointEveryMinutes);
    }
    positive("--keep-checkpoints", keepCheckpoints);
    nonNegative("--val-streams", valStreams);
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
    }
    if (lrSchedule.equals("plateau") && valFraction == 0 && val.isEmpty()) {
      throw new IllegalArgumentException("--lr-schedule plateau decays the rate when validation does"
          + " not improve: it needs --val PATH or --val-fraction F");
    }
    if (valFraction > 0 && !val.isEmpty()) {
      throw new IllegalArgumentException("--val and --val-fraction exclude each other, got both");
    }
    if (partitions > batch) {
      throw new IllegalArgumentException("--partitions must be at most --batch (" + batch
          + "), got " + partitions);
    }
  }

  /** The output layer's options: a known softmax, and cutoffs exactly when it is adaptive. */
  private static void checkSoftmax(String softmax, List<Integer> cutoffs) {
    if (!softmax.equals("full") && !softmax.equals("adaptive")) {
      throw new IllegalArgumentException("--softmax must be full or adaptive, got '" + softmax + "'");
    }
    if (softmax.equals("adaptive") && cutoffs.isEmpty()) {
      throw new IllegalArgumentException("--softmax adaptive needs --cutoffs C1,C2,...: the ids"
          + " (by frequency) where the head's shortlist and each cluster end, e.g. --cutoffs 2000,10000");
    }
    if (softmax.equals("full") && !cutoffs.isEmpty()) {
      throw new IllegalArgumentException("--cutoffs " + OptionValues.intList(cutoffs)
          + " applies to --softmax adaptive only; add --softmax adaptive or drop --cutoffs");
    }
    int previous = 0;
    for (int c : cutoffs) {
      if (c <= previous) {
        throw new IllegalArgumentException("--cutoffs must be positive and increasing, got "
            + OptionValues.intList(cutoffs));
      }
      previous = c;
    }
  }

  /** A builder at the option table's defaults. */
  public static Builder builder() {
    return TrainOptions.defaults();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.input = input;
    b.modelDir = modelDir;
    b.epochs = epochs;
    b.hidden = hidden;
    b.cell = cell;
    b.layers = layers;
    b.dropout = dropout;
    b.embedding = embedding;
    b.tieWeights = tieWeights;
    b.softmax = softmax;
    b.cutoffs = cutoffs;
    b.batch = batch;
    b.steps = steps;
    b.lr = lr;
    b.clip = clip;
    b.sampling = sampling;
    b.tokens = tokens;
    b.normalize = normalize;
    b.minFreq = minFreq;
    b.maxTokens = maxTokens;
    b.maxVocab = maxVocab;
    b.tokenizer = tokenizer;
    b.vocabSize = vocabSize;
    b.partitions = partitions;
    b.master = master;
    b.seed = seed;
    b.sampleEvery = sampleEvery;
    b.samplePrefix = samplePrefix;
    b.val = val;
    b.valFraction = valFraction;
    b.valStreams = valStreams;
    b.checkpointEvery = checkpointEvery;
    b.checkpointEverySteps = checkpointEverySteps;
    b.checkpointEveryMinutes = checkpointEveryMinutes;
    b.validateEverySteps = validateEverySteps;
    b.keepCheckpoints = keepCheckpoints;
    b.resume = resume;
    b.skipMemoryCheck = skipMemoryCheck;
    b.verbose = verbose;
    b.allowMixedKernels = allowMixedKernels;
    b.optimizer = optimizer;
    b.momentum = optimizerSettings.momentum();
    b.beta1 = optimizerSettings.beta1();
    b.beta2 = optimizerSettings.beta2();
    b.eps = optimizerSettings.eps();
    b.weightDecay = optimizerSettings.weightDecay();
    b.lrSchedule = lrSchedule;
    b.lrDecay = scheduleSettings.decay();
    b.lrDecayEvery = scheduleSettings.decayEvery();
    b.warmupSteps = scheduleSettings.warmupSteps();
    b.syncEvery = sync.every();
    b.outerOptimizer = sync.outer().kind();
    b.outerLr = sync.outer().lr();
    b.outerMomentum = sync.outer().momentum();
    b.outerClip = sync.outer().clip();
    b.aggregationFanIn = sync.fanIn();
    return b;
  }

  /** The same settings writing to {@code dir} (a staging directory, a registry's new version). */
  public TrainSettings withModelDir(String dir) {
    return toBuilder().modelDir(dir).build();
  }

  /** Comma-separated input paths (files, directories, globs; any Hadoop file system). */
  public String input() {
    return input;
  }

  /** Where the model is written. */
  public String modelDir() {
    return modelDir;
  }

  /** Passes over the corpus. */
  public int epochs() {
    return epochs;
  }

  /** Hidden units H. */
  public int hidden() {
    return hidden;
  }

  /** Sequences per step B (global, over all partitions). */
  public int batch() {
    return batch;
  }

  /** Time steps per window T. */
  public int steps() {
    return steps;
  }

  /** SGD learning rate. */
  public float lr() {
    return lr;
  }

  /** Global gradient-norm bound theta. */
  public float clip() {
    return clip;
  }

  /** Sequential or random minibatches. */
  public Sampling sampling() {
    return sampling;
  }

  /** Char or word tokens. */
  public Tokenizer tokens() {
    return tokens;
  }

  /** Text cleaning before tokenization. */
  public Normalizer normalize() {
    return normalize;
  }

  /** Tokens seen fewer times map to {@code <unk>}. */
  public long minFreq() {
    return minFreq;
  }

  /** Keep only the first N tokens; 0 = all. */
  public long maxTokens() {
    return maxTokens;
  }

  /** At most this many ids, {@code <unk>} included; 0 = no cap. */
  public int maxVocab() {
    return maxVocab;
  }

  /** A Hugging Face tokenizer.json (any Hadoop path) whose subwords are the tokens; empty = none. */
  public String tokenizer() {
    return tokenizer;
  }

  /** With {@code --tokens bpe}: the learned vocabulary's size, the 256 bytes included; 0 otherwise. */
  public int vocabSize() {
    return vocabSize;
  }

  /** Training partitions; 0 = Spark's default parallelism, at most B. */
  public int partitions() {
    return partitions;
  }

  /** Spark master used when none is configured. */
  public String master() {
    return master;
  }

  /** Seed of every random choice (initialization, offsets, shuffles). */
  public long seed() {
    return seed;
  }

  /** Print a generated sample every N epochs; 0 = never. */
  public int sampleEvery() {
    return sampleEvery;
  }

  /** Prefix of those samples; empty = the corpus's first tokens. */
  public String samplePrefix() {
    return samplePrefix;
  }

  /** Validation text scored every epoch; empty = none. */
  public String val() {
    return val;
  }

  /** Hold out this tail fraction of each input file for validation; 0 = none. */
  public double valFraction() {
    return valFraction;
  }

  /** Validation streams, scored together over the partitions; 0 = one per training partition. */
  public int valStreams() {
    return valStreams;
  }

  /** Write a checkpoint every N epochs; 0 = never. */
  public int checkpointEvery() {
    return checkpointEvery;
  }

  /** Write a checkpoint every N optimizer steps; 0 = never. */
  public int checkpointEverySteps() {
    return checkpointEverySteps;
  }

  /** Also a checkpoint within an epoch once this many minutes passed since the last one; 0 = never. */
  public double checkpointEveryMinutes() {
    return checkpointEveryMinutes;
  }

  /** Also score the validation text every N optimizer steps within an epoch; 0 = at epoch ends only. */
  public int validateEverySteps() {
    return validateEverySteps;
  }

  /** How many of the newest checkpoints to keep. */
  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  /** Continue from the newest good checkpoint in the model directory. */
  public boolean resume() {
    return resume;
  }

  /** Train even when the memory estimate exceeds the heaps (it warns). */
  public boolean skipMemoryCheck() {
    return skipMemoryCheck;
  }

  /** Print where the time before the first step went. */
  public boolean verbose() {
    return verbose;
  }

  /** Train even when executors compute with different kernels (warns once). */
  public boolean allowMixedKernels() {
    return allowMixedKernels;
  }

  /** The driver's optimizer: sgd, momentum, adam, adamw, rmsprop or adagrad. */
  public String optimizer() {
    return optimizer;
  }

  /** The optimizer hyperparameters given (null: the optimizer's default). */
  public OptimizerSettings optimizerSettings() {
    return optimizerSettings;
  }

  /** The learning-rate schedule: constant, step or cosine. */
  public String lrSchedule() {
    return lrSchedule;
  }

  /** The schedule's options given (null: its default). */
  public ScheduleSettings scheduleSettings() {
    return scheduleSettings;
  }

  /** The network these settings train. */
  public Architecture architecture() {
    // checkSoftmax: cutoffs are given exactly when the softmax is adaptive
    return new Architecture(cell, hidden, layers, dropout, embedding, tieWeights, cutoffs);
  }

  /** Recurrent cell: rnn, gru or lstm. */
  public String cell() {
    return cell;
  }

  /** Stacked recurrent layers. */
  public int layers() {
    return layers;
  }

  /** Inverted dropout on each layer's output, in training. */
  public float dropout() {
    return dropout;
  }

  /** Size of the input embedding; 0: one-hot inputs straight into the first layer. */
  public int embedding() {
    return embedding;
  }

  /** Whether the output layer's weight is the embedding table. */
  public boolean tieWeights() {
    return tieWeights;
  }

  /** The output layer: full or adaptive (softmax). */
  public String softmax() {
    return softmax;
  }

  /** The adaptive softmax's cutoffs; empty with a full softmax. */
  public List<Integer> cutoffs() {
    return cutoffs;
  }

  /** How often partitions synchronize, the driver's update after local steps, the aggregation tree. */
  public Synchronization sync() {
    return sync;
  }

  @Override
  public String toString() {
    return "TrainSettings" + TrainOptions.toMap(this, partitions);
  }

  private static void positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be > 0, got " + value);
    }
  }

  /**
   * Subword tokens: the vocabulary is the tokenizer's (given, or learned to --vocab-size), so
   * the options that shape a counted vocabulary are refused with them.
   */
  private void checkSubwords() {
    if (!tokenizer.isEmpty() && tokens != Tokenizer.TOKENIZER) {
      throw new IllegalArgumentException("--tokenizer FILE sets the tokens; it cannot be combined with --tokens "
          + tokens.optionName());
    }
    if (tokens == Tokenizer.TOKENIZER && tokenizer.isEmpty()) {
      throw new IllegalArgumentException("--tokens tokenizer needs --tokenizer FILE (a Hugging Face tokenizer.json)");
    }
    if (tokens == Tokenizer.BPE && (vocabSize < MIN_BPE_VOCAB || vocabSize > MAX_BPE_VOCAB)) {
      throw new IllegalArgumentException("--tokens bpe needs --vocab-size N with " + MIN_BPE_VOCAB
          + " <= N <= " + MAX_BPE_VOCAB + " (the 256 bytes and the merges learned), got " + vocabSize);
    }
    if (tokens != Tokenizer.BPE && vocabSize != 0) {
      throw new IllegalArgumentException("--vocab-size is the size of a learned BPE: use it with --tokens bpe"
          + " (--max-vocab caps a vocabulary of characters or words)");
    }
    if (tokens.isSubword() && (minFreq != 0 || maxVocab != 0)) {
      throw new IllegalArgumentException((minFreq != 0 ? "--min-freq" : "--max-vocab") + " cannot be used with "
          + (tokens == Tokenizer.BPE ? "--tokens bpe (--vocab-size sets its size)"
              : "--tokenizer: the vocabulary is the tokenizer's"));
    }
  }

  /** A byte-level BPE holds the 256 bytes; above this a vocabulary is past what a softmax here trains. */
  public static final int MIN_BPE_VOCAB = 256;
  public static final int MAX_BPE_VOCAB = 1 << 20;

  private static void nonNegative(String option, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(option + " must be >= 0, got " + value);
    }
  }

  /** Settings under construction; {@link #build} validates them. Fresh ones come from {@link TrainSettings#builder}. */
  public static final class Builder {
    private String input;
    private String modelDir;
    private int epochs;
    private int hidden;
    private int batch;
    private int steps;
    private float lr;
    private float clip;
    private Sampling sampling;
    private Tokenizer tokens;
    private Normalizer normalize;
    private long minFreq;
    private long maxTokens;
    private int maxVocab;
    private String tokenizer;
    private int vocabSize;
    private int partitions;
    private String master;
    private long seed;
    private int sampleEvery;
    private String samplePrefix;
    private String val;
    private double valFraction;
    private int valStreams;
    private int checkpointEvery;
    private int checkpointEverySteps;
    private double checkpointEveryMinutes;
    private int validateEverySteps;
    private int keepCheckpoints;
    private boolean resume;
    private boolean skipMemoryCheck;
    private boolean verbose;
    private boolean allowMixedKernels;
    private int syncEvery;
    private String optimizer;
    private Double momentum;
    private Double beta1;
    private Double beta2;
    private Double eps;
    private Double weightDecay;
    private String lrSchedule;
    private Double lrDecay;
    private Long lrDecayEvery;
    private Long warmupSteps;
    private String cell;
    private int layers;
    private float dropout;
    private int embedding;
    private boolean tieWeights;
    private String softmax;
    private List<Integer> cutoffs;
    private OuterUpdate.Kind outerOptimizer;
    private float outerLr;
    private float outerMomentum;
    private float outerClip;
    private int aggregationFanIn;

    Builder() {}

    public Builder cell(String value) {
      this.cell = value;
      return this;
    }

    public Builder layers(int value) {
      this.layers = value;
      return this;
    }

    public Builder dropout(float value) {
      this.dropout = value;
      return this;
    }

    public Builder embedding(int value) {
      this.embedding = value;
      return this;
    }

    public Builder tieWeights(boolean value) {
      this.tieWeights = value;
      return this;
    }

    public Builder softmax(String value) {
      this.softmax = value;
      return this;
    }

    public Builder cutoffs(List<Integer> value) {
      this.cutoffs = value;
      return this;
    }

    public Builder optimizer(String value) {
      this.optimizer = value;
      return this;
    }

    public Builder momentum(Double value) {
      this.momentum = value;
      return this;
    }

    public Builder beta1(Double value) {
      this.beta1 = value;
      return this;
    }

    public Builder beta2(Double value) {
      this.beta2 = value;
      return this;
    }

    public Builder eps(Double value) {
      this.eps = value;
      return this;
    }

    public Builder weightDecay(Double value) {
      this.weightDecay = value;
      return this;
    }

    public Builder lrSchedule(String value) {
      this.lrSchedule = value;
      return this;
    }

    public Builder lrDecay(Double value) {
      this.lrDecay = value;
      return this;
    }

    public Builder lrDecayEvery(Long value) {
      this.lrDecayEvery = value;
      return this;
    }

    public Builder warmupSteps(Long value) {
      this.warmupSteps = value;
      return this;
    }

    public Builder syncEvery(int value) {
      this.syncEvery = value;
      return this;
    }

    public Builder outerOptimizer(OuterUpdate.Kind value) {
      this.outerOptimizer = value;
      return this;
    }

    public Builder outerLr(float value) {
      this.outerLr = value;
      return this;
    }

    public Builder outerMomentum(float value) {
      this.outerMomentum = value;
      return this;
    }

    public Builder outerClip(float value) {
      this.outerClip = value;
      return this;
    }

    public Builder aggregationFanIn(int value) {
      this.aggregationFanIn = value;
      return this;
    }

    public Builder input(String value) {
      this.input = value;
      return this;
    }

    public Builder modelDir(String value) {
      this.modelDir = value;
      return this;
    }

    public Builder epochs(int value) {
      this.epochs = value;
      return this;
    }

    public Builder hidden(int value) {
      this.hidden = value;
      return this;
    }

    public Builder batch(int value) {
      this.batch = value;
      return this;
    }

    public Builder steps(int value) {
      this.steps = value;
      return this;
    }

    public Builder lr(float value) {
      this.lr = value;
      return this;
    }

    public Builder clip(float value) {
      this.clip = value;
      return this;
    }

    public Builder sampling(Sampling value) {
      this.sampling = value;
      return this;
    }

    public Builder tokens(Tokenizer value) {
      this.tokens = value;
      return this;
    }

    public Builder normalize(Normalizer value) {
      this.normalize = value;
      return this;
    }

    public Builder minFreq(long value) {
      this.minFreq = value;
      return this;
    }

    public Builder maxTokens(long value) {
      this.maxTokens = value;
      return this;
    }

    public Builder maxVocab(int value) {
      this.maxVocab = value;
      return this;
    }

    /** A tokenizer.json also makes the tokens its subwords, unless other tokens were asked for (refused then). */
    public Builder tokenizer(String value) {
      this.tokenizer = value;
      if (!value.isEmpty() && tokens == Tokenizer.CHAR) {
        tokens = Tokenizer.TOKENIZER;
      }
      return this;
    }

    public Builder vocabSize(int value) {
      this.vocabSize = value;
      return this;
    }

    public Builder partitions(int value) {
      this.partitions = value;
      return this;
    }

    public Builder master(String value) {
      this.master = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder sampleEvery(int value) {
      this.sampleEvery = value;
      return this;
    }

    public Builder samplePrefix(String value) {
      this.samplePrefix = value;
      return this;
    }

    public Builder val(String value) {
      this.val = value;
      return this;
    }

    public Builder valFraction(double value) {
      this.valFraction = value;
      return this;
    }

    public Builder valStreams(int value) {
      this.valStreams = value;
      return this;
    }

    public Builder checkpointEvery(int value) {
      this.checkpointEvery = value;
      return this;
    }

    public Builder checkpointEverySteps(int value) {
      this.checkpointEverySteps = value;
      return this;
    }

    public Builder checkpointEveryMinutes(double value) {
      this.checkpointEveryMinutes = value;
      return this;
    }

    public Builder validateEverySteps(int value) {
      this.validateEverySteps = value;
      return this;
    }

    public Builder keepCheckpoints(int value) {
      this.keepCheckpoints = value;
      return this;
    }

    public Builder resume(boolean value) {
      this.resume = value;
      return this;
    }

    public Builder skipMemoryCheck(boolean value) {
      this.skipMemoryCheck = value;
      return this;
    }

    public Builder verbose(boolean value) {
      this.verbose = value;
      return this;
    }

    public Builder allowMixedKernels(boolean value) {
      this.allowMixedKernels = value;
      return this;
    }

    /** The settings, validated. */
    public TrainSettings build() {
      return new TrainSettings(this);
    }
  }
}
