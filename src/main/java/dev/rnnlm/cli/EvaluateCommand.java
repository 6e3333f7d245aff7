package dev.rnnlm.cli;

import dev.rnnlm.train.OptionValues;

import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.text.Vocabulary;
import dev.rnnlm.train.Evaluator;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/** {@code rnnlm evaluate}: perplexity of a text under a model, as a Spark job. */
final class EvaluateCommand {
  static final List<Option> OPTIONS = List.of(
      Option.value("model", "DIR", "model directory (required)"),
      Option.value("input", "PATH[,PATH...]", "text to score (required)"),
      Option.flag("json", "print a JSON object with perplexity, tokens and oov_rate"),
      Option.value("partitions", "P", "streams scored in parallel, each from a zero state [1]"),
      Option.value("master", "URL", "Spark master when none is configured [local[*]]"));

  /** Above this fraction of <unk> tokens the perplexity is not a fair measure: warn. */
  static final double OOV_WARNING_RATE = 0.10;

  private EvaluateCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err, JavaSparkContext existing)
      throws IOException {
    OptionParsing.Parsed parsed = OptionParsing.parse("evaluate", "perplexity of a text under a model",
        OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    Map<String, String> v = parsed.values();
    String dir = OptionParsing.require(v, "model", "evaluate");
    String input = OptionParsing.require(v, "input", "evaluate");
    int partitions = OptionValues.intValue(v, "partitions", 1);
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be > 0, got " + partitions);
    }
    try (SparkSession spark = SparkSession.open("evaluate", v.getOrDefault("master", "local[*]"), existing)) {
      SavedModel saved = new ModelStore(spark.context().hadoopConfiguration()).load(dir);
      int steps = OptionValues.intValue(saved.training(), "steps", 35);
      Evaluator.Score score;
      long unknown;
      long scored;
      try (EncodedCorpus corpus = EncodedCorpus.read(spark.context(), input, saved.text(),
          saved.vocabulary(), 0, 0)) {
        score = Evaluator.score(spark.context(), corpus, saved.model(), saved.params(), steps,
            partitions);
        unknown = corpus.unknownWords();
        scored = corpus.tokens();
      }
      double oovRate = scored == 0 ? 0 : (double) unknown / scored;
      if (v.containsKey("json")) {
        out.printf("{\"perplexity\": %s, \"tokens\": %d, \"oov_rate\": %s}%n", score.perplexity(),
            score.tokens(), oovRate);
      } else {
        out.printf("perplexity %.4f%n", score.perplexity());
        out.printf("out of vocabulary: %.2f%% (%,d of %,d tokens are not in the model's vocabulary"
            + " and are scored as <unk>)%n", 100 * oovRate, unknown, scored);
      }
      if (oovRate > OOV_WARNING_RATE) {
        // With --json, standard output stays one JSON object.
        (v.containsKey("json") ? err : out).printf("warning: %.1f%% of the scored tokens are outside the model's vocabulary and"
            + " are scored as <unk>, which makes the perplexity look better than the text is predicted;"
            + " train on text like this one or with a larger --max-vocab%n", 100 * oovRate);
      }
    }
    return Main.OK;
  }
}
