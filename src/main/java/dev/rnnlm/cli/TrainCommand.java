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
  /** The option table's ({@link TrainOptions#ALL}), with their defaults in the help. */
  static final List<Option> OPTIONS = TrainOptions.ALL.stream()
      .map(o -> o.isFlag() ? Option.flag(o.name(), o.helpWithDefault())
          : Option.value(o.name(), o.valueName(), o.helpWithDefault()))
      .toList();

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
