package dev.rnnlm.cli;

import dev.rnnlm.train.OptionValues;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.text.Vocabulary;
import dev.rnnlm.train.Evaluator;
import dev.rnnlm.train.Trainer;
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
      Option.value("streams", "N", "score the text as N contiguous streams, each from a zero state, N rows "
          + "per product: faster, and a little higher than one stream (PyTorch's word_language_model scores "
          + "10) [as many as --partitions]"),
      Option.value("partitions", "P", "partitions the streams are spread over; without --streams, one "
          + "stream per partition [1; with --streams: N, at most Spark's default parallelism]"),
      Option.value("master", "URL", "Spark master when none is configured [local[*]]"));

  /** Above this fraction of <unk> tokens the perplexity is not a fair measure: warn. */
  static final double OOV_WARNING_RATE = 0.10;

  private EvaluateCommand() {}

  /** "1 stream", "64 streams". */
  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

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
    int requestedPartitions = OptionValues.intValue(v, "partitions", 1);
    if (requestedPartitions < 1) {
      throw new IllegalArgumentException("--partitions must be > 0, got " + requestedPartitions);
    }
    int streams = OptionValues.intValue(v, "streams", requestedPartitions);
    if (streams < 1) {
      throw new IllegalArgumentException("--streams must be > 0, got " + streams);
    }
    try (SparkSession spark = SparkSession.open("evaluate", v.getOrDefault("master", "local[*]"), existing)) {
      int partitions = v.containsKey("partitions") || !v.containsKey("streams") ? requestedPartitions
          : Math.max(1, Math.min(streams, spark.context().defaultParallelism()));
      SavedModel saved = new ModelStore(spark.context().hadoopConfiguration()).load(dir);
      int steps = OptionValues.intValue(saved.training(), "steps", 35);
      Evaluator.Score score;
      long unknown;
      long scored;
      long scoreNanos;
      double bytesPerToken;
      try (EncodedCorpus corpus = EncodedCorpus.read(spark.context(), CorpusSource.files(input), saved.text(),
          saved.vocabulary(), 0, 0)) {
        long start = System.nanoTime();
        score = Evaluator.score(spark.context(), corpus, saved.model(), saved.params(), steps,
            streams, partitions);
        scoreNanos = System.nanoTime() - start;
        unknown = corpus.unknownWords();
        scored = corpus.tokens();
        bytesPerToken = corpus.bytesPerToken(saved.text().tokenBytes(saved.vocabulary()));
      }
      double oovRate = scored == 0 ? 0 : (double) unknown / scored;
      double seconds = scoreNanos / 1e9;
      Evaluator.StreamPlan plan = Evaluator.StreamPlan.of(scored, streams, partitions);
      if (v.containsKey("json")) {
        out.printf("{\"perplexity\": %s, \"tokens\": %d, \"oov_rate\": %s}%n", score.perplexity(),
            score.tokens(), oovRate);
      } else {
        out.printf("perplexity %.4f%n", score.perplexity());
        out.printf("out of vocabulary: %.2f%% (%,d of %,d tokens are not in the model's vocabulary"
            + " and are scored as <unk>)%n", 100 * oovRate, unknown, scored);
        out.printf("bits per byte %.4f (%.3f bytes of text per token)%n",
            Trainer.bitsPerByte(Math.log(score.perplexity()), bytesPerToken), bytesPerToken);
        out.printf("scored %,d tokens in %s over %s in %.1f s (%,.0f tokens/s)%n", score.tokens(),
            count(plan.streams(), "stream"), count(plan.partitions(), "partition"), seconds,
            score.tokens() / Math.max(seconds, 1e-9));
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
