package dev.rnnlm.train;

import static dev.rnnlm.train.TrainOption.Effect.ADJUSTABLE;
import static dev.rnnlm.train.TrainOption.Effect.MODEL;
import static dev.rnnlm.train.TrainOption.Effect.TRAJECTORY;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.model.LanguageModels;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.values.NamedValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The table of {@code train}'s options: the one place that declares each option ({@link
 * TrainOption}: name, type, default, help, checks, effect on a run, Spark ML param). It feeds the
 * command line ({@code train --help}, parsing, {@code --config} files), {@link TrainSettings}
 * (which holds a value per declaration), the checks of {@code --resume} and {@code retrain}, the
 * model's record of its training ({@code model.json}), the README's option tables ({@link
 * #markdownTable}; a test compares them) and {@code ml.RnnLM}'s params.
 *
 * <p>A new option is one declaration here, added to {@link #ALL}; code reads it with {@code
 * settings.get(TrainOptions.NEW_OPTION)} (or a one-line accessor in {@link TrainSettings}).
 */
public final class TrainOptions {
  private TrainOptions() {}

  // The options, in the order --help and the README list them (ALL below).

  public static final TrainOption<String> INPUT = TrainOption.text("input", "PATH[,PATH...]", "text files, "
          + "directories (recursive) or globs on any Hadoop file system, read in sorted path order; UTF-8, "
          + "malformed bytes replaced and counted")
      .defaultValue("").shownAs("required").effect(ADJUSTABLE).essential();
  public static final TrainOption<String> MODEL_DIR = TrainOption.text("model", "DIR", "model directory to write")
      .defaultValue("").shownAs("required").essential();
  public static final TrainOption<String> CONFIG = TrainOption.text("config", "FILE", "properties file whose keys "
          + "are these option names; command-line flags override it")
      .commandLineOnly();
  public static final TrainOption<Integer> EPOCHS = TrainOption.intValue("epochs", "N", "passes over the corpus")
      .defaultValue("500").positive().effect(ADJUSTABLE).essential().param();
  public static final TrainOption<Integer> HIDDEN = TrainOption.intValue("hidden", "H", "hidden units")
      .defaultValue("512").positive().effect(MODEL).essential().param();
  public static final TrainOption<String> CELL = TrainOption.text("cell", "rnn|gru|lstm", "recurrent cell: the "
          + "book's tanh RNN, or PyTorch's GRU or LSTM")
      .defaultValue("rnn").check(LanguageModels.CELL_TYPES::contains, v -> "must be one of "
          + String.join(", ", LanguageModels.CELL_TYPES) + ", got '" + v + "'")
      .effect(MODEL).essential().param();
  public static final TrainOption<Integer> LAYERS = TrainOption.intValue("layers", "L", "stacked recurrent layers")
      .defaultValue("1").positive().effect(MODEL).essential().param();
  public static final TrainOption<Float> DROPOUT = TrainOption.floatValue("dropout", "D", "inverted dropout on "
          + "each layer's output (training only)")
      .defaultValue("0.0").check(v -> v >= 0 && v < 1, v -> "must be in [0, 1), got " + v)
      .effect(TRAJECTORY).param();
  public static final TrainOption<Integer> EMBEDDING = TrainOption.intValue("embedding", "E", "input embedding of "
          + "E units, dropout on its output, as PyTorch's word_language_model; 0 = one-hot inputs straight into "
          + "the first layer")
      .defaultValue("0").check(v -> v >= 0, v -> "must be >= 0 (0: one-hot inputs), got " + v)
      .effect(MODEL).param();
  public static final TrainOption<Boolean> TIE_WEIGHTS = TrainOption.flag("tie-weights", "the output layer's "
          + "weight is the embedding (needs --embedding equal to --hidden; Press and Wolf 2017)")
      .effect(MODEL).param();
  public static final TrainOption<String> SOFTMAX = TrainOption.text("softmax", "full|adaptive", "output layer: a "
          + "softmax over the whole vocabulary, or an adaptive softmax (Grave et al. 2017, as PyTorch's "
          + "nn.AdaptiveLogSoftmaxWithLoss): the most frequent ids in a head, the rarer ones in clusters scored "
          + "only for their own targets")
      .defaultValue("full").check(v -> v.equals("full") || v.equals("adaptive"),
          v -> "must be full or adaptive, got '" + v + "'")
      .effect(MODEL).param();
  public static final TrainOption<List<Integer>> CUTOFFS = TrainOption.intList("cutoffs", "C1,C2,...", "with "
          + "--softmax adaptive: the head holds ids below C1, cluster i the ids in [Ci, Ci+1) (the vocabulary is "
          + "ordered by frequency), e.g. 2000,10000")
      .defaultValue("").check(TrainOptions::increasing, v -> "must be positive and increasing, got " + intList(v))
      .effect(MODEL).param();
  public static final TrainOption<Integer> BATCH = TrainOption.intValue("batch", "B", "sequences per step, over "
          + "all partitions")
      .defaultValue("32").positive().effect(TRAJECTORY).essential().param("batchSize");
  public static final TrainOption<Integer> STEPS = TrainOption.intValue("steps", "T", "time steps per window "
          + "(truncated BPTT length)")
      .defaultValue("35").positive().effect(TRAJECTORY).essential().param();
  public static final TrainOption<Float> LR = TrainOption.floatValue("lr", "LR", "SGD learning rate")
      .defaultValue("1.0").check(v -> v > 0 && Float.isFinite(v), v -> "must be > 0, got " + v)
      .effect(ADJUSTABLE).essential().param();
  public static final TrainOption<Float> CLIP = TrainOption.floatValue("clip", "THETA", "clip the averaged "
          + "gradient to this global L2 norm")
      .defaultValue("1.0").check(v -> v > 0 && Float.isFinite(v), v -> "must be > 0, got " + v)
      .effect(ADJUSTABLE).essential().param();
  public static final TrainOption<String> OPTIMIZER = TrainOption.text("optimizer",
          "sgd|momentum|adam|adamw|rmsprop|adagrad", "the driver's update of the averaged, clipped gradient, as "
          + "PyTorch's torch.optim computes it")
      .defaultValue("sgd").effect(TRAJECTORY).essential().param();
  public static final TrainOption<Double> MOMENTUM = optimizerValue("momentum", "MU",
      "momentum (momentum: 0.9; rmsprop: 0)");
  public static final TrainOption<Double> BETA1 = optimizerValue("beta1", "B1",
      "adam, adamw: first-moment decay (0.9)");
  public static final TrainOption<Double> BETA2 = optimizerValue("beta2", "B2",
      "adam, adamw: second-moment decay (0.999); rmsprop: its smoothing alpha (0.99)");
  public static final TrainOption<Double> EPS = optimizerValue("eps", "EPS",
      "adam, adamw, rmsprop: 1e-8; adagrad: 1e-10");
  public static final TrainOption<Double> WEIGHT_DECAY = optimizerValue("weight-decay", "WD",
      "L2 added to the gradient (0); adamw: decoupled (0.01)");
  public static final TrainOption<String> LR_SCHEDULE = TrainOption.text("lr-schedule",
          "constant|step|cosine|plateau", "learning rate by optimizer step: constant, times --lr-decay every "
          + "--lr-decay-every steps, cosine annealing to 0 at the last step, or plateau: times --lr-decay after "
          + "each epoch whose validation perplexity is not the best so far (PyTorch's word_language_model; needs "
          + "validation)")
      .defaultValue("constant").effect(TRAJECTORY);
  public static final TrainOption<Double> LR_DECAY = TrainOption.optionalDouble("lr-decay", "G", "step and "
          + "plateau schedules: the factor (step 0.1, plateau 0.25)")
      .defaultValue("").shownAs("0.1 with step, 0.25 with plateau").effect(TRAJECTORY);
  public static final TrainOption<Long> LR_DECAY_EVERY = TrainOption.optionalLong("lr-decay-every", "N", "step "
          + "schedule: optimizer steps between decays")
      .defaultValue("").effect(TRAJECTORY);
  public static final TrainOption<Long> WARMUP_STEPS = TrainOption.longValue("warmup-steps", "N", "linear "
          + "warm-up of the learning rate over the first N steps")
      .defaultValue("0").effect(TRAJECTORY);
  public static final TrainOption<Integer> SYNC_EVERY = TrainOption.choice("sync-every", "K|epoch", "synchronize "
          + "every K steps: 1 is the exact per-step algorithm; K > 1 runs K local steps per partition (clip and "
          + "SGD at --lr on its own share) and averages the parameter changes; epoch: once per epoch. On a "
          + "cluster a synchronization costs a Spark job (~0.1 s) and P x 4 bytes x parameters each way on the "
          + "driver's link: raise K while that exceeds a tenth of a step's compute (cluster.md, \"Synchronizing "
          + "over a network\")", Synchronization::parseEvery, Synchronization::everyName)
      .defaultValue("1").effect(TRAJECTORY).essential();
  public static final TrainOption<OuterUpdate.Kind> OUTER_OPTIMIZER = TrainOption.choice("outer-optimizer",
          "sgd|nesterov", "with --sync-every > 1: the driver's update from the averaged change",
          OuterUpdate.Kind::parse, OuterUpdate.Kind::optionName)
      .defaultValue("sgd").effect(TRAJECTORY);
  public static final TrainOption<Float> OUTER_LR = TrainOption.floatValue("outer-lr", "LR", "its learning rate "
          + "(1 with sgd: plain averaging)")
      .defaultValue("1.0").effect(ADJUSTABLE);
  public static final TrainOption<Float> OUTER_MOMENTUM = TrainOption.floatValue("outer-momentum", "MU", "its "
          + "momentum; 0 = none")
      .defaultValue("0.0").effect(TRAJECTORY);
  public static final TrainOption<Float> OUTER_CLIP = TrainOption.floatValue("outer-clip", "THETA", "clip the "
          + "averaged change to this global L2 norm; 0 = never")
      .defaultValue("0.0").effect(ADJUSTABLE);
  public static final TrainOption<Integer> AGGREGATION_FAN_IN = TrainOption.intValue("aggregation-fan-in", "F",
          "add the partitions' results on the executors in a fixed tree, F per group, so the driver receives at "
          + "most F; 0 = direct up to " + Synchronization.DIRECT_UP_TO + " partitions, else "
          + Synchronization.DEFAULT_TREE_FAN_IN)
      .defaultValue("0").shownAs("automatic").effect(TRAJECTORY);
  public static final TrainOption<Sampling> SAMPLING = TrainOption.choice("sampling", "sequential|random", "the "
          + "book's two minibatch iterators", Sampling::parse, Sampling::optionName)
      .defaultValue("sequential").effect(TRAJECTORY).essential().param();
  public static final TrainOption<Tokenizer> TOKENS = TrainOption.choice("tokens", "char|word|word-eos|bpe",
          "tokenization: characters, whitespace-separated words, words and an <eos> word at each line end "
          + "(PyTorch's word_language_model), or subwords of a byte-level BPE learned from the training text "
          + "with Spark (--vocab-size)", Tokenizer::parse, Tokenizer::optionName)
      .defaultValue("char").effect(MODEL).essential().param();
  public static final TrainOption<Normalizer> NORMALIZE = TrainOption.choice("normalize", "none|lower|d2l", "text "
          + "cleaning: none keeps the text (line breaks are tokens), lower lower-cases, d2l is the book's: "
          + "letters only, lower case, lines joined", Normalizer::parse, Normalizer::optionName)
      .defaultValue("none").effect(MODEL).essential().param();
  public static final TrainOption<Long> MIN_FREQ = TrainOption.longValue("min-freq", "N", "tokens seen fewer "
          + "times map to <unk>")
      .defaultValue("0").nonNegative().effect(TRAJECTORY).param();
  public static final TrainOption<Long> MAX_TOKENS = TrainOption.longValue("max-tokens", "N", "keep only the "
          + "first N tokens (the book's max_tokens); 0 = all")
      .defaultValue("0").shownAs("all").nonNegative().effect(TRAJECTORY).param();
  public static final TrainOption<Integer> MAX_VOCAB = TrainOption.intValue("max-vocab", "N", "at most N ids "
          + "including <unk>: the most frequent tokens (ties by token), the rest map to <unk>; only those counts "
          + "reach the driver; 0 = no cap")
      .defaultValue("0").shownAs("no cap").check(v -> v == 0 || v >= 2, v -> "must be 0 (no cap) or >= 2, got " + v)
      .effect(TRAJECTORY).param();
  public static final TrainOption<Integer> VOCAB_SIZE = TrainOption.intValue("vocab-size", "N", "with --tokens "
          + "bpe: the vocabulary to learn, the 256 bytes included (GPT-2 style: bytes, words split on spaces and "
          + "punctuation, the most frequent pair merged first); written to the model directory as tokenizer.json")
      .defaultValue("0").shownAs("none").effect(MODEL).param();
  public static final TrainOption<String> TOKENIZER = TrainOption.text("tokenizer", "FILE", "subword tokens of a "
          + "Hugging Face tokenizer.json (any Hadoop path; e.g. GPT-2's, or one --tokens bpe wrote), encoded by "
          + "the Hugging Face tokenizers library; ids are the tokenizer's, and the model directory keeps a copy")
      .defaultValue("").shownAs("none").effect(MODEL).param();
  public static final TrainOption<Integer> PARTITIONS = TrainOption.intValue("partitions", "P", "training "
          + "partitions, each a contiguous block of the B sequences; 0 = Spark's default parallelism, at most B")
      .defaultValue("0").shownAs("Spark default parallelism, at most B").nonNegative().effect(TRAJECTORY)
      .essential().param();
  public static final TrainOption<String> MASTER = TrainOption.text("master", "URL", "Spark master, used only "
          + "when none is configured (spark-submit's wins)")
      .defaultValue("local[*]");
  public static final TrainOption<Long> SEED = TrainOption.longValue("seed", "S", "seed of every random choice: "
          + "initialization, epoch offsets, shuffles")
      .defaultValue("0").effect(TRAJECTORY).essential().param();
  public static final TrainOption<Integer> SAMPLE_EVERY = TrainOption.intValue("sample-every", "N", "print a "
          + "greedy sample every N epochs and after the last; 0 = never")
      .defaultValue("10").nonNegative();
  public static final TrainOption<String> SAMPLE_PREFIX = TrainOption.text("sample-prefix", "TEXT", "prefix of "
          + "those samples")
      .defaultValue("").shownAs("the corpus's first tokens");
  public static final TrainOption<String> VAL = TrainOption.text("val", "PATH[,PATH...]", "validation text, read "
          + "with the training vocabulary; its perplexity is reported every epoch")
      .defaultValue("").recorded();
  public static final TrainOption<Double> VAL_FRACTION = TrainOption.doubleValue("val-fraction", "F", "hold out "
          + "the last fraction F of each input file for validation instead; those tokens are never trained on")
      .defaultValue("0").check(v -> v >= 0 && v < 1, v -> "must be in [0, 1), got " + v)
      .effect(TRAJECTORY).essential().param("validationFraction");
  public static final TrainOption<Integer> VAL_STREAMS = TrainOption.intValue("val-streams", "N", "score the "
          + "validation text as N contiguous streams, each from a zero state, batched over the partitions (as "
          + "evaluate --streams); more streams score faster and restart the state more often; 0 = one stream per "
          + "training partition")
      .defaultValue("0").shownAs("one per partition").nonNegative().effect(ADJUSTABLE).param("validationStreams");
  public static final TrainOption<Integer> VALIDATE_EVERY_STEPS = TrainOption.intValue("validate-every-steps", "N",
          "also score the validation text every N optimizer steps within an epoch: a line, and "
          + "DIR/validation.jsonl; the learning-rate schedule still reads only the epochs' validations, so nothing "
          + "trained changes; 0 = at epoch ends only")
      .defaultValue("0").nonNegative();
  public static final TrainOption<Integer> CHECKPOINT_EVERY = TrainOption.intValue("checkpoint-every", "N", "write "
          + "a checkpoint every N epochs; 0 = never")
      .defaultValue("1").nonNegative();
  public static final TrainOption<Integer> CHECKPOINT_EVERY_STEPS = TrainOption.intValue("checkpoint-every-steps",
          "N", "also write one every N optimizer steps; 0 = never")
      .defaultValue("0").nonNegative();
  public static final TrainOption<Double> CHECKPOINT_EVERY_MINUTES = TrainOption.doubleValue(
          "checkpoint-every-minutes", "M", "also write one within an epoch once M minutes have passed since the "
          + "last (a long epoch loses at most M minutes to a crash; epochs shorter than M never reach it); 0 = "
          + "never")
      .defaultValue("10").check(v -> v >= 0 && !Double.isInfinite(v), v -> "must be >= 0, got " + v);
  public static final TrainOption<Integer> KEEP_CHECKPOINTS = TrainOption.intValue("keep-checkpoints", "K", "keep "
          + "the K newest checkpoints")
      .defaultValue("3").positive();
  public static final TrainOption<Boolean> RESUME = TrainOption.flag("resume", "continue from the newest good "
          + "checkpoint in --model DIR")
      .essential();
  public static final TrainOption<Boolean> OVERWRITE = TrainOption.flag("overwrite", "replace the model in --model "
          + "DIR; the old one stays in place, loadable, until the new one is complete")
      .essential().commandLineOnly();
  public static final TrainOption<Boolean> SKIP_MEMORY_CHECK = TrainOption.flag("skip-memory-check", "train even "
          + "when the memory estimate exceeds the heaps (it warns)")
      .param();
  public static final TrainOption<Boolean> VERBOSE = TrainOption.flag("verbose", "print where the time before the "
      + "first step went");
  public static final TrainOption<Boolean> ALLOW_MIXED_KERNELS = TrainOption.flag("allow-mixed-kernels", "train "
      + "even when executors compute with different BLAS or recurrent kernels (the model is then not reproducible "
      + "bit for bit)");

  /** Every option of {@code train}, in the order {@code --help} and the README list them. */
  public static final List<TrainOption<?>> ALL = List.of(INPUT, MODEL_DIR, CONFIG, EPOCHS, HIDDEN, CELL, LAYERS,
      DROPOUT, EMBEDDING, TIE_WEIGHTS, SOFTMAX, CUTOFFS, BATCH, STEPS, LR, CLIP, OPTIMIZER, MOMENTUM, BETA1, BETA2,
      EPS, WEIGHT_DECAY, LR_SCHEDULE, LR_DECAY, LR_DECAY_EVERY, WARMUP_STEPS, SYNC_EVERY, OUTER_OPTIMIZER,
      OUTER_LR, OUTER_MOMENTUM, OUTER_CLIP, AGGREGATION_FAN_IN, SAMPLING, TOKENS, NORMALIZE, MIN_FREQ, MAX_TOKENS,
      MAX_VOCAB, VOCAB_SIZE, TOKENIZER, PARTITIONS, MASTER, SEED, SAMPLE_EVERY, SAMPLE_PREFIX, VAL, VAL_FRACTION,
      VAL_STREAMS, VALIDATE_EVERY_STEPS, CHECKPOINT_EVERY, CHECKPOINT_EVERY_STEPS, CHECKPOINT_EVERY_MINUTES,
      KEEP_CHECKPOINTS, RESUME, OVERWRITE, SKIP_MEMORY_CHECK, VERBOSE, ALLOW_MIXED_KERNELS);

  /**
   * What the packages below name, in their own terms, in the messages of failures found while a
   * run goes (a corpus too small for one step, a model directory in the way): the option each
   * term is. Messages found while settings are built are renamed where they are checked
   * ({@link TrainSettings}).
   */
  private static final Map<String, TrainOption<?>> RUN_TERMS = Map.ofEntries(
      Map.entry("batch", BATCH),                      // data.WindowPlan
      Map.entry("steps", STEPS),                      // data.WindowPlan
      Map.entry("validationFraction", VAL_FRACTION),  // data.CorpusIndex
      Map.entry("vocabulary", MAX_VOCAB),             // model.ParameterLayout
      Map.entry("hidden", HIDDEN),                    // model.ParameterLayout
      Map.entry("tokens", TOKENS),                    // text.TextPipeline
      Map.entry("schedule", LR_SCHEDULE),             // optim.LearningRateSchedule (cosine)
      Map.entry("warmupSteps", WARMUP_STEPS),         // optim.LearningRateSchedule (cosine)
      Map.entry("dir", MODEL_DIR),                    // io.ModelDirectory
      Map.entry("resume", RESUME),                    // io.ModelDirectory
      Map.entry("overwrite", OVERWRITE));             // io.ModelDirectory

  private static final Map<String, TrainOption<?>> BY_NAME = ALL.stream()
      .collect(Collectors.toUnmodifiableMap(TrainOption::name, o -> o));

  /** An optimizer hyperparameter: empty means the optimizer's own default (see {@link Optimizers}). */
  private static TrainOption<Double> optimizerValue(String name, String valueName, String help) {
    return TrainOption.optionalDouble(name, valueName, help).defaultValue("").shownAs("the optimizer's")
        .effect(TRAJECTORY);
  }

  private static boolean increasing(List<Integer> values) {
    int previous = 0;
    for (int c : values) {
      if (c <= previous) {
        return false;
      }
      previous = c;
    }
    return true;
  }

  /** "2000,10000": the text of a list of ints, as --cutoffs reads it. */
  static String intList(List<Integer> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** The option named {@code name} (without "--"). */
  public static Optional<TrainOption<?>> named(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * The option a failure's message names by {@code name}: an option's own name (as the
   * settings' messages use), or a term of the packages below for a value that is an option.
   */
  public static Optional<TrainOption<?>> namedInMessage(String name) {
    TrainOption<?> o = BY_NAME.get(name);
    return Optional.ofNullable(o != null ? o : RUN_TERMS.get(name));
  }

  /**
   * The message of {@code e} with each value it names ({@link NamedValues}) that is an option
   * named by {@code naming} ("--batch", "batchSize"); other names stay in braces. Null when
   * {@code e}'s message names no values.
   */
  public static String message(NamedValues e, Function<TrainOption<?>, String> naming) {
    if (e.template() == null) {
      return null;
    }
    return NamedValues.render(e.template(), n -> namedInMessage(n).map(naming).orElse(NamedValues.ref(n)));
  }

  /** The names of the options with effect {@code effect}, in table order. */
  public static List<String> namesWith(TrainOption.Effect effect) {
    return ALL.stream().filter(o -> o.effect() == effect).map(TrainOption::name).toList();
  }

  /** A builder holding every option's default. */
  static TrainSettings.Builder defaults() {
    TrainSettings.Builder b = new TrainSettings.Builder();
    for (TrainOption<?> o : ALL) {
      if (o.isSetting()) {
        b.setText(o, o.defaultText());
      }
    }
    return b;
  }

  /**
   * Builds settings from option values by name (as on the command line, without "--"); missing
   * options take their defaults, names that are not settings (--config, --overwrite) are ignored.
   */
  public static TrainSettings fromMap(Map<String, String> values) {
    TrainSettings.Builder b = defaults();
    for (TrainOption<?> o : ALL) {
      String v = values.get(o.name());
      if (v != null && o.isSetting()) {
        b.setText(o, v);
      }
    }
    return b.build();
  }

  /**
   * The settings as the model records them ({@code model.json}'s "training"): every option that
   * changes the trajectory, and --val; --partitions is the count actually used.
   */
  public static Map<String, String> toMap(TrainSettings s, int partitionsUsed) {
    Map<String, String> m = new LinkedHashMap<>();
    for (TrainOption<?> o : ALL) {
      if (o.isRecorded()) {
        m.put(o.name(), o == PARTITIONS ? Integer.toString(partitionsUsed) : o.get(s));
      }
    }
    return m;
  }

  /** The command reference's option table (markdown): every option, in table order. */
  public static String markdownTable() {
    return markdownTable(ALL);
  }

  /** The README's short option table: the essential options. */
  public static String essentialMarkdownTable() {
    return markdownTable(ALL.stream().filter(TrainOption::isEssential).toList());
  }

  private static String markdownTable(List<TrainOption<?>> options) {
    return "| option | default | meaning | changes the trajectory |\n|---|---|---|---|\n"
        + options.stream().map(o -> "| `--" + o.name()
            + (o.isFlag() ? "" : " " + o.valueName().replace("|", "\\|")) + "` | "
            + o.defaultShown() + " | " + o.help() + " | " + o.effect().describe() + " |")
        .collect(Collectors.joining("\n"));
  }
}
