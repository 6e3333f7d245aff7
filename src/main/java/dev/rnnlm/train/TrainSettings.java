package dev.rnnlm.train;

import static dev.rnnlm.train.TrainOptions.AGGREGATION_FAN_IN;
import static dev.rnnlm.train.TrainOptions.ALLOW_MIXED_KERNELS;
import static dev.rnnlm.train.TrainOptions.BATCH;
import static dev.rnnlm.train.TrainOptions.BETA1;
import static dev.rnnlm.train.TrainOptions.BETA2;
import static dev.rnnlm.train.TrainOptions.CELL;
import static dev.rnnlm.train.TrainOptions.CHECKPOINT_EVERY;
import static dev.rnnlm.train.TrainOptions.CHECKPOINT_EVERY_MINUTES;
import static dev.rnnlm.train.TrainOptions.CHECKPOINT_EVERY_STEPS;
import static dev.rnnlm.train.TrainOptions.CLIP;
import static dev.rnnlm.train.TrainOptions.CUTOFFS;
import static dev.rnnlm.train.TrainOptions.DROPOUT;
import static dev.rnnlm.train.TrainOptions.EMBEDDING;
import static dev.rnnlm.train.TrainOptions.EPOCHS;
import static dev.rnnlm.train.TrainOptions.EPS;
import static dev.rnnlm.train.TrainOptions.HIDDEN;
import static dev.rnnlm.train.TrainOptions.INPUT;
import static dev.rnnlm.train.TrainOptions.KEEP_CHECKPOINTS;
import static dev.rnnlm.train.TrainOptions.LAYERS;
import static dev.rnnlm.train.TrainOptions.LR;
import static dev.rnnlm.train.TrainOptions.LR_DECAY;
import static dev.rnnlm.train.TrainOptions.LR_DECAY_EVERY;
import static dev.rnnlm.train.TrainOptions.LR_SCHEDULE;
import static dev.rnnlm.train.TrainOptions.MASTER;
import static dev.rnnlm.train.TrainOptions.MAX_TOKENS;
import static dev.rnnlm.train.TrainOptions.MAX_VOCAB;
import static dev.rnnlm.train.TrainOptions.MIN_FREQ;
import static dev.rnnlm.train.TrainOptions.MODEL_DIR;
import static dev.rnnlm.train.TrainOptions.MOMENTUM;
import static dev.rnnlm.train.TrainOptions.NORMALIZE;
import static dev.rnnlm.train.TrainOptions.OPTIMIZER;
import static dev.rnnlm.train.TrainOptions.OUTER_CLIP;
import static dev.rnnlm.train.TrainOptions.OUTER_LR;
import static dev.rnnlm.train.TrainOptions.OUTER_MOMENTUM;
import static dev.rnnlm.train.TrainOptions.OUTER_OPTIMIZER;
import static dev.rnnlm.train.TrainOptions.PARTITIONS;
import static dev.rnnlm.train.TrainOptions.RESUME;
import static dev.rnnlm.train.TrainOptions.SAMPLE_EVERY;
import static dev.rnnlm.train.TrainOptions.SAMPLE_PREFIX;
import static dev.rnnlm.train.TrainOptions.SAMPLING;
import static dev.rnnlm.train.TrainOptions.SEED;
import static dev.rnnlm.train.TrainOptions.SKIP_MEMORY_CHECK;
import static dev.rnnlm.train.TrainOptions.SOFTMAX;
import static dev.rnnlm.train.TrainOptions.STEPS;
import static dev.rnnlm.train.TrainOptions.SYNC_EVERY;
import static dev.rnnlm.train.TrainOptions.TIE_WEIGHTS;
import static dev.rnnlm.train.TrainOptions.TOKENIZER;
import static dev.rnnlm.train.TrainOptions.TOKENS;
import static dev.rnnlm.train.TrainOptions.VAL;
import static dev.rnnlm.train.TrainOptions.VALIDATE_EVERY_STEPS;
import static dev.rnnlm.train.TrainOptions.VAL_FRACTION;
import static dev.rnnlm.train.TrainOptions.VAL_STREAMS;
import static dev.rnnlm.train.TrainOptions.VERBOSE;
import static dev.rnnlm.train.TrainOptions.VOCAB_SIZE;
import static dev.rnnlm.train.TrainOptions.WARMUP_STEPS;
import static dev.rnnlm.train.TrainOptions.WEIGHT_DECAY;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.optim.LearningRateSchedule;
import dev.rnnlm.optim.OptimizerSettings;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.optim.ScheduleSettings;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.values.InvalidValueException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything a training run is given, validated: a value for each setting of the option table
 * ({@link TrainOptions#ALL}), read with {@link #get} or the typed accessors below. A value that
 * cannot work is rejected when the settings are built, by its option's own checks or by the
 * checks across options here, with an {@link OptionException} naming the options
 * ({@code "--batch must be > 0, got -3"}). Built from option values by name with {@link
 * TrainOptions#fromMap}, or by {@link Builder}, whose defaults are the table's (the book's
 * configuration): {@code TrainSettings.builder().set(TrainOptions.HIDDEN, 128).build()}.
 */
public final class TrainSettings {
  /** Every option at its default (no input, no model directory). */
  public static final TrainSettings DEFAULTS = builder().build();
  /** A byte-level BPE holds the 256 bytes; above this a vocabulary is past what a softmax here trains. */
  public static final int MIN_BPE_VOCAB = 256;
  public static final int MAX_BPE_VOCAB = 1 << 20;

  private final Map<TrainOption<?>, Object> values;
  // Derived from the values: the settings of the packages below, built and checked once.
  private final Synchronization sync;
  private final OptimizerSettings optimizerSettings;
  private final ScheduleSettings scheduleSettings;

  private TrainSettings(Builder b) {
    this.values = new HashMap<>(b.values);
    if (!tokenizer().isEmpty() && tokens() == Tokenizer.CHAR) {
      values.put(TOKENS, Tokenizer.TOKENIZER); // a tokenizer.json makes the tokens its subwords
    }
    for (TrainOption<?> o : TrainOptions.ALL) {
      if (o.isSetting()) {
        validate(o);
      }
    }
    this.optimizerSettings = new OptimizerSettings(get(MOMENTUM), get(BETA1), get(BETA2), get(EPS),
        get(WEIGHT_DECAY));
    this.scheduleSettings = new ScheduleSettings(get(LR_DECAY), get(LR_DECAY_EVERY), get(WARMUP_STEPS));
    OuterUpdate.Settings outer = inOptionNames(() -> new OuterUpdate.Settings(
        get(OUTER_OPTIMIZER), get(OUTER_LR), get(OUTER_MOMENTUM), get(OUTER_CLIP)),
        Map.of("kind", OUTER_OPTIMIZER, "lr", OUTER_LR, "momentum", OUTER_MOMENTUM, "clip", OUTER_CLIP));
    this.sync = inOptionNames(() -> new Synchronization(get(SYNC_EVERY), outer, get(AGGREGATION_FAN_IN)),
        Map.of("every", SYNC_EVERY, "fanIn", AGGREGATION_FAN_IN));
    checkAcrossOptions();
  }

  /** The same values, validated already, with another model directory. */
  private TrainSettings(TrainSettings s, String modelDir) {
    this.values = new HashMap<>(s.values);
    values.put(MODEL_DIR, modelDir);
    this.sync = s.sync;
    this.optimizerSettings = s.optimizerSettings;
    this.scheduleSettings = s.scheduleSettings;
  }

  private <T> void validate(TrainOption<T> o) {
    o.validate(get(o));
  }

  /** The checks that involve several options, or the packages below, in their terms. */
  private void checkAcrossOptions() {
    inOptionNames(() -> Optimizers.resolve(optimizer(), optimizerSettings), Map.of("optimizer", OPTIMIZER,
        "momentum", MOMENTUM, "beta1", BETA1, "beta2", BETA2, "eps", EPS, "weightDecay", WEIGHT_DECAY));
    inOptionNames(() -> {
      LearningRateSchedule.check(lrSchedule(), scheduleSettings);
      return null;
    }, Map.of("schedule", LR_SCHEDULE, "decay", LR_DECAY, "decayEvery", LR_DECAY_EVERY,
        "warmupSteps", WARMUP_STEPS));
    if (sync.localSteps() && (!optimizer().equals("sgd") || !lrSchedule().equals("constant")
        || get(WARMUP_STEPS) > 0)) {
      throw new OptionException(SYNC_EVERY.ref() + " " + Synchronization.everyName(sync.every())
          + " runs local steps with SGD at a constant " + LR.ref() + ": it needs " + OPTIMIZER.ref() + " sgd and "
          + LR_SCHEDULE.ref() + " constant without warm-up, got " + OPTIMIZER.ref() + " " + optimizer() + " "
          + LR_SCHEDULE.ref() + " " + lrSchedule());
    }
    if (tieWeights() && embedding() != hidden()) {
      throw new OptionException(TIE_WEIGHTS.ref() + " needs " + EMBEDDING.ref() + " equal to " + HIDDEN.ref()
          + " (the last layer's size), got " + EMBEDDING.ref() + " " + embedding() + " and " + HIDDEN.ref() + " "
          + hidden());
    }
    if (softmax().equals("adaptive") && cutoffs().isEmpty()) {
      throw new OptionException(SOFTMAX.ref() + " adaptive needs " + CUTOFFS.ref() + " C1,C2,...: the ids"
          + " (by frequency) where the head's shortlist and each cluster end, e.g. " + CUTOFFS.ref()
          + " 2000,10000");
    }
    if (softmax().equals("full") && !cutoffs().isEmpty()) {
      throw new OptionException(CUTOFFS.ref() + " " + CUTOFFS.format(cutoffs()) + " applies to " + SOFTMAX.ref()
          + " adaptive only; add " + SOFTMAX.ref() + " adaptive or drop " + CUTOFFS.ref());
    }
    checkSubwords();
    boolean validation = valFraction() > 0 || !val().isEmpty();
    if (validateEverySteps() > 0 && !validation) {
      throw new OptionException(VALIDATE_EVERY_STEPS.ref() + " scores the validation text: it needs "
          + VAL.ref() + " PATH or " + VAL_FRACTION.ref() + " F");
    }
    if (lrSchedule().equals("plateau") && !validation) {
      throw new OptionException(LR_SCHEDULE.ref() + " plateau decays the rate when validation does"
          + " not improve: it needs " + VAL.ref() + " PATH or " + VAL_FRACTION.ref() + " F");
    }
    if (valFraction() > 0 && !val().isEmpty()) {
      throw new OptionException(VAL.ref() + " and " + VAL_FRACTION.ref() + " exclude each other, got both");
    }
    if (partitions() > batch()) {
      throw new OptionException(PARTITIONS.ref() + " must be at most " + BATCH.ref() + " (" + batch()
          + "), got " + partitions());
    }
  }

  /**
   * Subword tokens: the vocabulary is the tokenizer's (given, or learned to --vocab-size), so
   * the options that shape a counted vocabulary are refused with them.
   */
  private void checkSubwords() {
    Tokenizer tokens = tokens();
    if (!tokenizer().isEmpty() && tokens != Tokenizer.TOKENIZER) {
      throw new OptionException(TOKENIZER.ref() + " FILE sets the tokens; it cannot be combined with "
          + TOKENS.ref() + " " + tokens.optionName());
    }
    if (tokens == Tokenizer.TOKENIZER && tokenizer().isEmpty()) {
      throw new OptionException(TOKENS.ref() + " tokenizer needs " + TOKENIZER.ref()
          + " FILE (a Hugging Face tokenizer.json)");
    }
    if (tokens == Tokenizer.BPE && (vocabSize() < MIN_BPE_VOCAB || vocabSize() > MAX_BPE_VOCAB)) {
      throw new OptionException(TOKENS.ref() + " bpe needs " + VOCAB_SIZE.ref() + " N with " + MIN_BPE_VOCAB
          + " <= N <= " + MAX_BPE_VOCAB + " (the 256 bytes and the merges learned), got " + vocabSize());
    }
    if (tokens != Tokenizer.BPE && vocabSize() != 0) {
      throw new OptionException(VOCAB_SIZE.ref() + " is the size of a learned BPE: use it with " + TOKENS.ref()
          + " bpe (" + MAX_VOCAB.ref() + " caps a vocabulary of characters or words)");
    }
    if (tokens.isSubword() && (minFreq() != 0 || maxVocab() != 0)) {
      throw new OptionException((minFreq() != 0 ? MIN_FREQ.ref() : MAX_VOCAB.ref()) + " cannot be used with "
          + (tokens == Tokenizer.BPE ? TOKENS.ref() + " bpe (" + VOCAB_SIZE.ref() + " sets its size)"
              : TOKENIZER.ref() + ": the vocabulary is the tokenizer's"));
    }
  }

  /**
   * {@code check}'s result; a rejection it makes in the terms of the package below is renamed to
   * the options those terms are ({@code terms}).
   */
  private static <T> T inOptionNames(Supplier<T> check, Map<String, TrainOption<?>> terms) {
    try {
      return check.get();
    } catch (InvalidValueException e) {
      throw OptionException.renamed(e, term -> terms.containsKey(term) ? terms.get(term).ref() : term);
    }
  }

  /** A builder at the option table's defaults. */
  public static Builder builder() {
    return TrainOptions.defaults();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.values.putAll(values);
    return b;
  }

  /** The same settings writing to {@code dir} (a staging directory, a registry's new version). */
  public TrainSettings withModelDir(String dir) {
    return new TrainSettings(this, dir);
  }

  /** The value of {@code option}, one of the table's settings. */
  public <T> T get(TrainOption<T> option) {
    if (!values.containsKey(option)) {
      throw new IllegalArgumentException(option + " is not a setting");
    }
    return option.cast(values.get(option));
  }

  /** Comma-separated input paths (files, directories, globs; any Hadoop file system). */
  public String input() { return get(INPUT); }

  /** Where the model is written. */
  public String modelDir() { return get(MODEL_DIR); }

  /** Passes over the corpus. */
  public int epochs() { return get(EPOCHS); }

  /** Hidden units H. */
  public int hidden() { return get(HIDDEN); }

  /** Sequences per step B (global, over all partitions). */
  public int batch() { return get(BATCH); }

  /** Time steps per window T. */
  public int steps() { return get(STEPS); }

  /** SGD learning rate. */
  public float lr() { return get(LR); }

  /** Global gradient-norm bound theta. */
  public float clip() { return get(CLIP); }

  /** Sequential or random minibatches. */
  public Sampling sampling() { return get(SAMPLING); }

  /** Char or word tokens. */
  public Tokenizer tokens() { return get(TOKENS); }

  /** Text cleaning before tokenization. */
  public Normalizer normalize() { return get(NORMALIZE); }

  /** Tokens seen fewer times map to {@code <unk>}. */
  public long minFreq() { return get(MIN_FREQ); }

  /** Keep only the first N tokens; 0 = all. */
  public long maxTokens() { return get(MAX_TOKENS); }

  /** At most this many ids, {@code <unk>} included; 0 = no cap. */
  public int maxVocab() { return get(MAX_VOCAB); }

  /** A Hugging Face tokenizer.json (any Hadoop path) whose subwords are the tokens; empty = none. */
  public String tokenizer() { return get(TOKENIZER); }

  /** With {@code --tokens bpe}: the learned vocabulary's size, the 256 bytes included; 0 otherwise. */
  public int vocabSize() { return get(VOCAB_SIZE); }

  /** Training partitions; 0 = Spark's default parallelism, at most B. */
  public int partitions() { return get(PARTITIONS); }

  /** Spark master used when none is configured. */
  public String master() { return get(MASTER); }

  /** Seed of every random choice (initialization, offsets, shuffles). */
  public long seed() { return get(SEED); }

  /** Print a generated sample every N epochs; 0 = never. */
  public int sampleEvery() { return get(SAMPLE_EVERY); }

  /** Prefix of those samples; empty = the corpus's first tokens. */
  public String samplePrefix() { return get(SAMPLE_PREFIX); }

  /** Validation text scored every epoch; empty = none. */
  public String val() { return get(VAL); }

  /** Hold out this tail fraction of each input file for validation; 0 = none. */
  public double valFraction() { return get(VAL_FRACTION); }

  /** Validation streams, scored together over the partitions; 0 = one per training partition. */
  public int valStreams() { return get(VAL_STREAMS); }

  /** Write a checkpoint every N epochs; 0 = never. */
  public int checkpointEvery() { return get(CHECKPOINT_EVERY); }

  /** Write a checkpoint every N optimizer steps; 0 = never. */
  public int checkpointEverySteps() { return get(CHECKPOINT_EVERY_STEPS); }

  /** Also a checkpoint within an epoch once this many minutes passed since the last one; 0 = never. */
  public double checkpointEveryMinutes() { return get(CHECKPOINT_EVERY_MINUTES); }

  /** Also score the validation text every N optimizer steps within an epoch; 0 = at epoch ends only. */
  public int validateEverySteps() { return get(VALIDATE_EVERY_STEPS); }

  /** How many of the newest checkpoints to keep. */
  public int keepCheckpoints() { return get(KEEP_CHECKPOINTS); }

  /** Continue from the newest good checkpoint in the model directory. */
  public boolean resume() { return get(RESUME); }

  /** Train even when the memory estimate exceeds the heaps (it warns). */
  public boolean skipMemoryCheck() { return get(SKIP_MEMORY_CHECK); }

  /** Print where the time before the first step went. */
  public boolean verbose() { return get(VERBOSE); }

  /** Train even when executors compute with different kernels (warns once). */
  public boolean allowMixedKernels() { return get(ALLOW_MIXED_KERNELS); }

  /** The driver's optimizer: sgd, momentum, adam, adamw, rmsprop or adagrad. */
  public String optimizer() { return get(OPTIMIZER); }

  /** The optimizer hyperparameters given (null: the optimizer's default). */
  public OptimizerSettings optimizerSettings() { return optimizerSettings; }

  /** The learning-rate schedule: constant, step, cosine or plateau. */
  public String lrSchedule() { return get(LR_SCHEDULE); }

  /** The schedule's options given (null: its default). */
  public ScheduleSettings scheduleSettings() { return scheduleSettings; }

  /** Recurrent cell: rnn, gru or lstm. */
  public String cell() { return get(CELL); }

  /** Stacked recurrent layers. */
  public int layers() { return get(LAYERS); }

  /** Inverted dropout on each layer's output, in training. */
  public float dropout() { return get(DROPOUT); }

  /** Size of the input embedding; 0: one-hot inputs straight into the first layer. */
  public int embedding() { return get(EMBEDDING); }

  /** Whether the output layer's weight is the embedding table. */
  public boolean tieWeights() { return get(TIE_WEIGHTS); }

  /** The output layer: full or adaptive (softmax). */
  public String softmax() { return get(SOFTMAX); }

  /** The adaptive softmax's cutoffs; empty with a full softmax. */
  public List<Integer> cutoffs() { return get(CUTOFFS); }

  /** How often partitions synchronize, the driver's update after local steps, the aggregation tree. */
  public Synchronization sync() { return sync; }

  /** The network these settings train. */
  public Architecture architecture() {
    // checkAcrossOptions: cutoffs are given exactly when the softmax is adaptive
    return new Architecture(cell(), hidden(), layers(), dropout(), embedding(), tieWeights(),
        cutoffs());
  }

  @Override
  public String toString() {
    return "TrainSettings" + TrainOptions.toMap(this, partitions());
  }

  /**
   * Settings under construction, a value per option of the table; {@link #build} validates them.
   * Fresh ones come from {@link TrainSettings#builder}, at the table's defaults.
   */
  public static final class Builder {
    private final Map<TrainOption<?>, Object> values = new HashMap<>();

    Builder() {}

    /** Sets {@code option} to {@code value} (checked by {@link #build}). */
    public <T> Builder set(TrainOption<T> option, T value) {
      requireSetting(option);
      values.put(option, value);
      return this;
    }

    /** Sets {@code option} from its text, as given on the command line ({@link TrainOption#parse}). */
    public Builder setText(TrainOption<?> option, String text) {
      requireSetting(option);
      values.put(option, option.parse(text));
      return this;
    }

    private static void requireSetting(TrainOption<?> option) {
      if (!option.isSetting()) {
        throw new IllegalArgumentException(option + " is not a setting");
      }
    }

    /** The settings, validated. */
    public TrainSettings build() {
      return new TrainSettings(this);
    }
  }
}
