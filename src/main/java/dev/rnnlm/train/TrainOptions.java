package dev.rnnlm.train;

import static dev.rnnlm.train.TrainOption.Effect.ADJUSTABLE;
import static dev.rnnlm.train.TrainOption.Effect.MODEL;
import static dev.rnnlm.train.TrainOption.Effect.TRAJECTORY;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.optim.OptimizerSettings;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.optim.OuterUpdate;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The table of {@code train}'s options: the one place that knows their names, defaults, help and
 * effect on a run. It feeds the command line ({@code train --help}, parsing, {@code --config}
 * files), {@link TrainSettings}' defaults, the checks of {@code --resume} and {@code retrain},
 * the model's record of its training ({@code model.json}), and the README's option table
 * ({@link #markdownTable}; a test compares the two).
 */
public final class TrainOptions {
  private TrainOptions() {}

  /** Every option of {@code train}, in the order {@code --help} and the README list them. */
  public static final List<TrainOption> ALL = List.of(
      TrainOption.value("input", "PATH[,PATH...]", "text files, directories (recursive) or globs on any "
              + "Hadoop file system, read in sorted path order; UTF-8, malformed bytes replaced and counted")
          .defaultValue("").shownAs("required").effect(ADJUSTABLE)
          .binds(TrainSettings.Builder::input, TrainSettings::input).essential(),
      TrainOption.value("model", "DIR", "model directory to write").defaultValue("").shownAs("required")
          .binds(TrainSettings.Builder::modelDir, TrainSettings::modelDir).essential(),
      TrainOption.value("config", "FILE", "properties file whose keys are these option names; "
          + "command-line flags override it"),
      TrainOption.value("epochs", "N", "passes over the corpus").defaultValue("500").effect(ADJUSTABLE)
          .binds((b, v) -> b.epochs(OptionValues.toInt("epochs", v)), s -> Integer.toString(s.epochs())).essential(),
      TrainOption.value("hidden", "H", "hidden units").defaultValue("512").effect(MODEL)
          .binds((b, v) -> b.hidden(OptionValues.toInt("hidden", v)), s -> Integer.toString(s.hidden())).essential(),
      TrainOption.value("cell", "rnn|gru|lstm", "recurrent cell: the book's tanh RNN, or PyTorch's GRU or LSTM")
          .defaultValue("rnn").effect(MODEL).essential()
          .binds(TrainSettings.Builder::cell, TrainSettings::cell),
      TrainOption.value("layers", "L", "stacked recurrent layers").defaultValue("1").effect(MODEL).essential()
          .binds((b, v) -> b.layers(OptionValues.toInt("layers", v)), s -> Integer.toString(s.layers())),
      TrainOption.value("dropout", "D", "inverted dropout on each layer's output (training only)")
          .defaultValue("0.0").effect(TRAJECTORY)
          .binds((b, v) -> b.dropout(OptionValues.toFloat("dropout", v)), s -> Float.toString(s.dropout())),
      TrainOption.value("embedding", "E", "input embedding of E units, dropout on its output, as PyTorch's "
              + "word_language_model; 0 = one-hot inputs straight into the first layer")
          .defaultValue("0").effect(MODEL)
          .binds((b, v) -> b.embedding(OptionValues.toInt("embedding", v)), s -> Integer.toString(s.embedding())),
      TrainOption.flag("tie-weights", "the output layer's weight is the embedding (needs --embedding equal "
              + "to --hidden; Press and Wolf 2017)").effect(MODEL)
          .binds((b, v) -> b.tieWeights(OptionValues.toBoolean("tie-weights", v)),
              s -> Boolean.toString(s.tieWeights())),
      TrainOption.value("softmax", "full|adaptive", "output layer: a softmax over the whole vocabulary, or an "
              + "adaptive softmax (Grave et al. 2017, as PyTorch's nn.AdaptiveLogSoftmaxWithLoss): the most "
              + "frequent ids in a head, the rarer ones in clusters scored only for their own targets")
          .defaultValue("full").effect(MODEL)
          .binds(TrainSettings.Builder::softmax, TrainSettings::softmax),
      TrainOption.value("cutoffs", "C1,C2,...", "with --softmax adaptive: the head holds ids below C1, "
              + "cluster i the ids in [Ci, Ci+1) (the vocabulary is ordered by frequency), e.g. 2000,10000")
          .defaultValue("").effect(MODEL)
          .binds((b, v) -> b.cutoffs(OptionValues.toIntList("cutoffs", v)),
              s -> OptionValues.intList(s.cutoffs())),
      TrainOption.value("batch", "B", "sequences per step, over all partitions").defaultValue("32")
          .effect(TRAJECTORY)
          .binds((b, v) -> b.batch(OptionValues.toInt("batch", v)), s -> Integer.toString(s.batch())).essential(),
      TrainOption.value("steps", "T", "time steps per window (truncated BPTT length)").defaultValue("35")
          .effect(TRAJECTORY)
          .binds((b, v) -> b.steps(OptionValues.toInt("steps", v)), s -> Integer.toString(s.steps())).essential(),
      TrainOption.value("lr", "LR", "SGD learning rate").defaultValue("1.0").effect(ADJUSTABLE)
          .binds((b, v) -> b.lr(OptionValues.toFloat("lr", v)), s -> Float.toString(s.lr())).essential(),
      TrainOption.value("clip", "THETA", "clip the averaged gradient to this global L2 norm")
          .defaultValue("1.0").effect(ADJUSTABLE)
          .binds((b, v) -> b.clip(OptionValues.toFloat("clip", v)), s -> Float.toString(s.clip())).essential(),
      TrainOption.value("optimizer", "sgd|momentum|adam|adamw|rmsprop|adagrad", "the driver's update of "
              + "the averaged, clipped gradient, as PyTorch's torch.optim computes it").defaultValue("sgd")
          .effect(TRAJECTORY).essential()
          .binds(TrainSettings.Builder::optimizer, TrainSettings::optimizer),
      optimizerValue("momentum", "MU", "momentum (momentum: 0.9; rmsprop: 0)",
          TrainSettings.Builder::momentum, OptimizerSettings::momentum),
      optimizerValue("beta1", "B1", "adam, adamw: first-moment decay (0.9)",
          TrainSettings.Builder::beta1, OptimizerSettings::beta1),
      optimizerValue("beta2", "B2", "adam, adamw: second-moment decay (0.999); rmsprop: its smoothing alpha (0.99)",
          TrainSettings.Builder::beta2, OptimizerSettings::beta2),
      optimizerValue("eps", "EPS", "adam, adamw, rmsprop: 1e-8; adagrad: 1e-10",
          TrainSettings.Builder::eps, OptimizerSettings::eps),
      optimizerValue("weight-decay", "WD", "L2 added to the gradient (0); adamw: decoupled (0.01)",
          TrainSettings.Builder::weightDecay, OptimizerSettings::weightDecay),
      TrainOption.value("lr-schedule", "constant|step|cosine|plateau", "learning rate by optimizer step: "
              + "constant, times --lr-decay every --lr-decay-every steps, cosine annealing to 0 at the last "
              + "step, or plateau: times --lr-decay after each epoch whose validation perplexity is not the "
              + "best so far (PyTorch's word_language_model; needs validation)")
          .defaultValue("constant").effect(TRAJECTORY)
          .binds(TrainSettings.Builder::lrSchedule, TrainSettings::lrSchedule),
      TrainOption.value("lr-decay", "G", "step and plateau schedules: the factor (step 0.1, plateau 0.25)")
          .defaultValue("").shownAs("0.1 with step, 0.25 with plateau")
          .effect(TRAJECTORY)
          .binds((b, v) -> b.lrDecay(v.isEmpty() ? null : OptionValues.toDouble("lr-decay", v)),
              s -> s.scheduleSettings().decay() == null ? "" : Double.toString(s.scheduleSettings().decay())),
      TrainOption.value("lr-decay-every", "N", "step schedule: optimizer steps between decays").defaultValue("")
          .effect(TRAJECTORY)
          .binds((b, v) -> b.lrDecayEvery(v.isEmpty() ? null : OptionValues.toLong("lr-decay-every", v)),
              s -> s.scheduleSettings().decayEvery() == null ? "" : Long.toString(s.scheduleSettings().decayEvery())),
      TrainOption.value("warmup-steps", "N", "linear warm-up of the learning rate over the first N steps")
          .defaultValue("0").effect(TRAJECTORY)
          .binds((b, v) -> b.warmupSteps(OptionValues.toLong("warmup-steps", v)),
              s -> Long.toString(s.scheduleSettings().warmupSteps() == null ? 0 : s.scheduleSettings().warmupSteps())),
      TrainOption.value("sync-every", "K|epoch", "synchronize every K steps: 1 is the exact per-step "
              + "algorithm; K > 1 runs K local steps per partition (clip and SGD at --lr on its own "
              + "share) and averages the parameter changes; epoch: once per epoch. On a cluster a "
              + "synchronization costs a Spark job (~0.1 s) and P x 4 bytes x parameters each way on the "
              + "driver's link: raise K while that exceeds a tenth of a step's compute (cluster.md, "
              + "\"Synchronizing over a network\")")
          .defaultValue("1").effect(TRAJECTORY)
          .binds((b, v) -> b.syncEvery(Synchronization.parseEvery(v)),
              s -> Synchronization.everyName(s.sync().every())).essential(),
      TrainOption.value("outer-optimizer", "sgd|nesterov", "with --sync-every > 1: the driver's update "
              + "from the averaged change")
          .defaultValue("sgd").effect(TRAJECTORY)
          .binds((b, v) -> b.outerOptimizer(OuterUpdate.Kind.parse(v)), s -> s.sync().outer().kind().optionName()),
      TrainOption.value("outer-lr", "LR", "its learning rate (1 with sgd: plain averaging)").defaultValue("1.0")
          .effect(ADJUSTABLE)
          .binds((b, v) -> b.outerLr(OptionValues.toFloat("outer-lr", v)), s -> Float.toString(s.sync().outer().lr())),
      TrainOption.value("outer-momentum", "MU", "its momentum; 0 = none").defaultValue("0.0").effect(TRAJECTORY)
          .binds((b, v) -> b.outerMomentum(OptionValues.toFloat("outer-momentum", v)),
              s -> Float.toString(s.sync().outer().momentum())),
      TrainOption.value("outer-clip", "THETA", "clip the averaged change to this global L2 norm; 0 = never")
          .defaultValue("0.0").effect(ADJUSTABLE)
          .binds((b, v) -> b.outerClip(OptionValues.toFloat("outer-clip", v)), s -> Float.toString(s.sync().outer().clip())),
      TrainOption.value("aggregation-fan-in", "F", "add the partitions' results on the executors in a fixed "
              + "tree, F per group, so the driver receives at most F; 0 = direct up to "
              + Synchronization.DIRECT_UP_TO + " partitions, else " + Synchronization.DEFAULT_TREE_FAN_IN)
          .defaultValue("0").shownAs("automatic").effect(TRAJECTORY)
          .binds((b, v) -> b.aggregationFanIn(OptionValues.toInt("aggregation-fan-in", v)),
              s -> Integer.toString(s.sync().fanIn())),
      TrainOption.value("sampling", "sequential|random", "the book's two minibatch iterators")
          .defaultValue("sequential").effect(TRAJECTORY)
          .binds((b, v) -> b.sampling(Sampling.parse(v)), s -> s.sampling().optionName()).essential(),
      TrainOption.value("tokens", "char|word|word-eos|bpe", "tokenization: characters, whitespace-separated words, words and an <eos> word at each line end (PyTorch's word_language_model), or subwords of a byte-level BPE learned from the training text with Spark (--vocab-size)").defaultValue("char").effect(MODEL)
          .binds((b, v) -> b.tokens(Tokenizer.parse(v)), s -> s.tokens().optionName()).essential(),
      TrainOption.value("normalize", "none|lower|d2l", "text cleaning: none keeps the text (line breaks "
              + "are tokens), lower lower-cases, d2l is the book's: letters only, lower case, lines joined")
          .defaultValue("none").effect(MODEL)
          .binds((b, v) -> b.normalize(Normalizer.parse(v)), s -> s.normalize().optionName()).essential(),
      TrainOption.value("min-freq", "N", "tokens seen fewer times map to <unk>").defaultValue("0")
          .effect(TRAJECTORY)
          .binds((b, v) -> b.minFreq(OptionValues.toLong("min-freq", v)), s -> Long.toString(s.minFreq())),
      TrainOption.value("max-tokens", "N", "keep only the first N tokens (the book's max_tokens); 0 = all")
          .defaultValue("0").shownAs("all").effect(TRAJECTORY)
          .binds((b, v) -> b.maxTokens(OptionValues.toLong("max-tokens", v)), s -> Long.toString(s.maxTokens())),
      TrainOption.value("max-vocab", "N", "at most N ids including <unk>: the most frequent tokens (ties "
              + "by token), the rest map to <unk>; only those counts reach the driver; 0 = no cap")
          .defaultValue("0").shownAs("no cap").effect(TRAJECTORY)
          .binds((b, v) -> b.maxVocab(OptionValues.toInt("max-vocab", v)), s -> Integer.toString(s.maxVocab())),
      TrainOption.value("vocab-size", "N", "with --tokens bpe: the vocabulary to learn, the 256 bytes included "
              + "(GPT-2 style: bytes, words split on spaces and punctuation, the most frequent pair merged "
              + "first); written to the model directory as tokenizer.json")
          .defaultValue("0").shownAs("none").effect(MODEL)
          .binds((b, v) -> b.vocabSize(OptionValues.toInt("vocab-size", v)), s -> Integer.toString(s.vocabSize())),
      TrainOption.value("tokenizer", "FILE", "subword tokens of a Hugging Face tokenizer.json (any Hadoop path; "
              + "e.g. GPT-2's, or one --tokens bpe wrote), encoded by the Hugging Face tokenizers library; ids "
              + "are the tokenizer's, and the model directory keeps a copy")
          .defaultValue("").shownAs("none").effect(MODEL)
          .binds(TrainSettings.Builder::tokenizer, TrainSettings::tokenizer),
      TrainOption.value("partitions", "P", "training partitions, each a contiguous block of the B "
              + "sequences; 0 = Spark's default parallelism, at most B")
          .defaultValue("0").shownAs("Spark default parallelism, at most B").effect(TRAJECTORY)
          .binds((b, v) -> b.partitions(OptionValues.toInt("partitions", v)),
              s -> Integer.toString(s.partitions())).essential(),
      TrainOption.value("master", "URL", "Spark master, used only when none is configured (spark-submit's wins)")
          .defaultValue("local[*]").binds(TrainSettings.Builder::master, TrainSettings::master),
      TrainOption.value("seed", "S", "seed of every random choice: initialization, epoch offsets, shuffles")
          .defaultValue("0").effect(TRAJECTORY)
          .binds((b, v) -> b.seed(OptionValues.toLong("seed", v)), s -> Long.toString(s.seed())).essential(),
      TrainOption.value("sample-every", "N", "print a greedy sample every N epochs and after the last; 0 = never")
          .defaultValue("10")
          .binds((b, v) -> b.sampleEvery(OptionValues.toInt("sample-every", v)),
              s -> Integer.toString(s.sampleEvery())),
      TrainOption.value("sample-prefix", "TEXT", "prefix of those samples").defaultValue("")
          .shownAs("the corpus's first tokens")
          .binds(TrainSettings.Builder::samplePrefix, TrainSettings::samplePrefix),
      TrainOption.value("val", "PATH[,PATH...]", "validation text, read with the training vocabulary; "
              + "its perplexity is reported every epoch").defaultValue("").recorded()
          .binds(TrainSettings.Builder::val, TrainSettings::val),
      TrainOption.value("val-fraction", "F", "hold out the last fraction F of each input file for "
              + "validation instead; those tokens are never trained on").defaultValue("0").effect(TRAJECTORY)
          .binds((b, v) -> b.valFraction(OptionValues.toDouble("val-fraction", v)),
              s -> Double.toString(s.valFraction())).essential(),
      TrainOption.value("val-streams", "N", "score the validation text as N contiguous streams, each from a "
              + "zero state, batched over the partitions (as evaluate --streams); more streams score faster "
              + "and restart the state more often; 0 = one stream per training partition")
          .defaultValue("0").shownAs("one per partition").effect(ADJUSTABLE)
          .binds((b, v) -> b.valStreams(OptionValues.toInt("val-streams", v)),
              s -> Integer.toString(s.valStreams())),
      TrainOption.value("validate-every-steps", "N", "also score the validation text every N optimizer steps "
              + "within an epoch: a line, and DIR/validation.jsonl; the learning-rate schedule still reads only the "
              + "epochs' validations, so nothing trained changes; 0 = at epoch ends only")
          .defaultValue("0")
          .binds((b, v) -> b.validateEverySteps(OptionValues.toInt("validate-every-steps", v)),
              s -> Integer.toString(s.validateEverySteps())),
      TrainOption.value("checkpoint-every", "N", "write a checkpoint every N epochs; 0 = never")
          .defaultValue("1")
          .binds((b, v) -> b.checkpointEvery(OptionValues.toInt("checkpoint-every", v)),
              s -> Integer.toString(s.checkpointEvery())),
      TrainOption.value("checkpoint-every-steps", "N", "also write one every N optimizer steps; 0 = never")
          .defaultValue("0")
          .binds((b, v) -> b.checkpointEverySteps(OptionValues.toInt("checkpoint-every-steps", v)),
              s -> Integer.toString(s.checkpointEverySteps())),
      TrainOption.value("checkpoint-every-minutes", "M", "also write one within an epoch once M minutes have "
              + "passed since the last (a long epoch loses at most M minutes to a crash; epochs shorter than M never "
              + "reach it); 0 = never")
          .defaultValue("10")
          .binds((b, v) -> b.checkpointEveryMinutes(OptionValues.toDouble("checkpoint-every-minutes", v)),
              s -> Double.toString(s.checkpointEveryMinutes())),
      TrainOption.value("keep-checkpoints", "K", "keep the K newest checkpoints").defaultValue("3")
          .binds((b, v) -> b.keepCheckpoints(OptionValues.toInt("keep-checkpoints", v)),
              s -> Integer.toString(s.keepCheckpoints())),
      TrainOption.flag("resume", "continue from the newest good checkpoint in --model DIR")
          .binds((b, v) -> b.resume(OptionValues.toBoolean("resume", v)), s -> Boolean.toString(s.resume())).essential(),
      TrainOption.flag("overwrite", "replace the model in --model DIR; the old one stays in place, "
          + "loadable, until the new one is complete").essential(),
      TrainOption.flag("skip-memory-check", "train even when the memory estimate exceeds the heaps (it warns)")
          .binds((b, v) -> b.skipMemoryCheck(OptionValues.toBoolean("skip-memory-check", v)),
              s -> Boolean.toString(s.skipMemoryCheck())),
      TrainOption.flag("verbose", "print where the time before the first step went")
          .binds((b, v) -> b.verbose(OptionValues.toBoolean("verbose", v)), s -> Boolean.toString(s.verbose())),
      TrainOption.flag("allow-mixed-kernels", "train even when executors compute with different BLAS or "
              + "recurrent kernels (the model is then not reproducible bit for bit)")
          .binds((b, v) -> b.allowMixedKernels(OptionValues.toBoolean("allow-mixed-kernels", v)),
              s -> Boolean.toString(s.allowMixedKernels())));

  /** An optimizer hyperparameter: empty means the optimizer's own default (see {@link Optimizers}). */
  private static TrainOption optimizerValue(String name, String valueName, String help,
                                            java.util.function.BiConsumer<TrainSettings.Builder, Double> set,
                                            java.util.function.Function<OptimizerSettings, Double> get) {
    return TrainOption.value(name, valueName, help).defaultValue("").shownAs("the optimizer's")
        .effect(TRAJECTORY)
        .binds((b, v) -> set.accept(b, v.isEmpty() ? null : OptionValues.toDouble(name, v)),
            s -> {
              Double v = get.apply(s.optimizerSettings());
              return v == null ? "" : Double.toString(v);
            });
  }

  /** The names of the options with effect {@code effect}, in table order. */
  public static List<String> namesWith(TrainOption.Effect effect) {
    return ALL.stream().filter(o -> o.effect() == effect).map(TrainOption::name).toList();
  }

  /** A builder holding every option's default. */
  static TrainSettings.Builder defaults() {
    TrainSettings.Builder b = new TrainSettings.Builder();
    ALL.forEach(o -> o.setDefault(b));
    return b;
  }

  /**
   * Builds settings from option values by name (as on the command line, without "--"); missing
   * options take their defaults, names that are not settings (--config, --overwrite) are ignored.
   */
  public static TrainSettings fromMap(Map<String, String> values) {
    TrainSettings.Builder b = defaults();
    for (TrainOption o : ALL) {
      String v = values.get(o.name());
      if (v != null && o.isSetting()) {
        o.set(b, v);
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
    for (TrainOption o : ALL) {
      if (o.isRecorded()) {
        m.put(o.name(), o.name().equals("partitions") ? Integer.toString(partitionsUsed) : o.get(s));
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

  private static String markdownTable(List<TrainOption> options) {
    return "| option | default | meaning | changes the trajectory |\n|---|---|---|---|\n"
        + options.stream().map(o -> "| `--" + o.name()
            + (o.isFlag() ? "" : " " + o.valueName().replace("|", "\\|")) + "` | "
            + o.defaultShown() + " | " + o.help() + " | " + o.effect().describe() + " |")
        .collect(Collectors.joining("\n"));
  }
}
