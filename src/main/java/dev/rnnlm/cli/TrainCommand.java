package dev.rnnlm.cli;

import dev.rnnlm.data.InputFiles;
import dev.rnnlm.io.DirectoryLock;
import dev.rnnlm.io.ModelDirectory;
import dev.rnnlm.train.OptionValues;
import dev.rnnlm.train.TrainOptions;
import dev.rnnlm.train.TrainSettings;
import dev.rnnlm.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/** {@code rnnlm train}: corpus in, model directory out. */
final class TrainCommand {
  static final List<Option> OPTIONS = List.of(
      Option.value("input", "PATH[,PATH...]", "text files, directories or globs on any Hadoop file system (required)"),
      Option.value("model", "DIR", "model directory to write (required)"),
      Option.value("config", "FILE", "properties file whose keys are these option names; flags override it"),
      Option.value("epochs", "N", "passes over the corpus [500]"),
      Option.value("hidden", "H", "hidden units [512]"),
      Option.value("batch", "B", "sequences per step, over all partitions [32]"),
      Option.value("steps", "T", "time steps per window (truncated BPTT length) [35]"),
      Option.value("lr", "LR", "SGD learning rate [1.0]"),
      Option.value("clip", "THETA", "clip the gradient to this global L2 norm [1.0]"),
      Option.value("sampling", "sequential|random", "minibatch iterator [sequential]"),
      Option.value("tokens", "char|word", "tokenization [char]"),
      Option.value("normalize", "none|lower|d2l", "text cleaning; d2l = letters only, lower case, lines joined [none]"),
      Option.value("min-freq", "N", "tokens seen fewer times map to <unk> [0]"),
      Option.value("max-tokens", "N", "keep only the first N tokens [all]"),
      Option.value("max-vocab", "N", "at most N ids including <unk>: the most frequent tokens; the rest map to <unk> [no cap]"),
      Option.value("partitions", "P", "training partitions [Spark default parallelism, at most B]"),
      Option.value("master", "URL", "Spark master when none is configured [local[*]]"),
      Option.value("seed", "S", "random seed [0]"),
      Option.value("sample-every", "N", "print a generated sample every N epochs; 0 = never [10]"),
      Option.value("sample-prefix", "TEXT", "prefix of those samples [the corpus's first tokens]"),
      Option.value("val", "PATH[,PATH...]", "validation text: its perplexity is reported every epoch"),
      Option.value("val-fraction", "F", "hold out the last F of each input file for validation instead [0]"),
      Option.value("checkpoint-every", "N", "write a checkpoint every N epochs; 0 = never [1]"),
      Option.value("checkpoint-every-steps", "N", "also write one every N optimizer steps; 0 = never [0]"),
      Option.value("keep-checkpoints", "K", "keep the K newest checkpoints [3]"),
      Option.flag("resume", "continue from the newest good checkpoint in --model DIR"),
      Option.flag("overwrite", "replace the model in --model DIR; the old one stays until the new one is complete"),
      Option.flag("skip-memory-check", "train even when the memory estimate exceeds the heaps (warns instead)"),
      Option.flag("verbose", "print where the time before the first step went"),
      Option.flag("allow-mixed-kernels", "train even when executors compute with different BLAS or recurrent kernels (the model is then not reproducible bit for bit)"));

  private TrainCommand() {}

  /**
   * Checks the paths before Spark starts, takes the model directory's lock, decides where the run
   * writes ({@link ModelDirectory#prepare}), trains with Spark's messages in the run log and, for
   * --overwrite, publishes the new model over the old one.
   */
  static int run(String[] args, PrintStream out, JavaSparkContext existing) throws IOException {
    OptionParsing.Parsed parsed = OptionParsing.parse("train", "train an RNN language model",
        OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    Map<String, String> values = OptionParsing.withConfigFile(parsed, OPTIONS);
    OptionParsing.require(values, "input", "train");
    OptionParsing.require(values, "model", "train");
    TrainSettings settings = TrainOptions.fromMap(values);
    boolean overwrite = OptionValues.booleanValue(values, "overwrite", false);
    Configuration hadoop = SparkSession.hadoopConfiguration("train", settings.master(), existing);
    InputFiles.expand(settings.input(), hadoop);
    if (!settings.val().isEmpty()) {
      InputFiles.expand(settings.val(), hadoop);
    }
    ModelDirectory target = new ModelDirectory(hadoop, settings.modelDir());
    target.requireWritable();
    try (DirectoryLock lock = target.lock(out)) {
      String workDir = target.prepare(settings.resume(), overwrite, out);
      try (RunLog log = RunLog.start(hadoop, settings.modelDir(), "train")) {
        try (SparkSession spark = SparkSession.open("train", settings.master(), existing)) {
          Trainer.Outcome outcome = new Trainer(spark.context(), settings.withModelDir(workDir), out).run();
          if (overwrite) {
            target.publishReplacement();
          }
          List<Double> ppl = outcome.epochPerplexities();
          out.printf("trained: perplexity %.3f -> %.3f (unigram %.3f); model written to %s%n",
              ppl.get(0), ppl.get(ppl.size() - 1), outcome.unigramPerplexity(), settings.modelDir());
        } catch (Throwable t) {
          throw log.failed(t);
        }
      }
    }
    return Main.OK;
  }
}
