package dev.rnnlm.train;

import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.model.LanguageModel;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongToIntFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Perplexity of a text under a model, as a Spark job. The text is cut into one contiguous
 * stream per partition; each stream is read left to right in windows of {@code steps} tokens
 * from a zero state carried across windows, and every token but the first of each stream is
 * predicted once. With one partition this is exactly a single left-to-right pass.
 */
public final class Evaluator {
  private Evaluator() {}

  /** Summed cross-entropy and number of predicted tokens. */
  public record Score(double lossSum, long tokens) implements Serializable {
    public double perplexity() {
      return Math.exp(lossSum / tokens);
    }
  }

  /** Scores a corpus in {@code partitions} streams (lays it out, scores, releases the layout). */
  public static Score score(JavaSparkContext sc, EncodedCorpus corpus, LanguageModel model,
                            float[] params, int steps, int partitions) {
    JavaRDD<TokenShard> streams = layoutStreams(corpus, partitions);
    try {
      return score(sc, streams, model, params, steps);
    } finally {
      streams.unpersist(false);
    }
  }

  /**
   * Cuts the corpus into at most {@code count} contiguous streams, one per partition, cached:
   * stream p predicts the targets {@code (lo, hi]} and so reads tokens {@code [lo, hi]}.
   */
  public static JavaRDD<TokenShard> layoutStreams(EncodedCorpus corpus, int count) {
    long n = corpus.tokens();
    int streams = (int) Math.max(1, Math.min(count, n - 1));
    long[][] ranges = new long[streams][];
    for (int p = 0; p < streams; p++) {
      long lo = p * (n - 1) / streams;
      long hi = (p + 1) * (n - 1) / streams;
      ranges[p] = new long[] {lo, hi + 1};
    }
    return corpus.layout(ranges);
  }

  /** Scores streams laid out by {@link #layoutStreams}; sums in partition order. */
  public static Score score(JavaSparkContext sc, JavaRDD<TokenShard> streams, LanguageModel model,
                            float[] params, int steps) {
    Broadcast<float[]> bParams = sc.broadcast(params);
    try {
      List<Score> parts = streams.mapPartitions(it -> scoreStream(it, model, bParams.value(), steps))
          .collect();
      double loss = 0;
      long tokens = 0;
      for (Score s : parts) { // collect() keeps partition order: a deterministic sum
        loss += s.lossSum();
        tokens += s.tokens();
      }
      return new Score(loss, tokens);
    } finally {
      bParams.destroy();
    }
  }

  private static Iterator<Score> scoreStream(Iterator<TokenShard> it, LanguageModel model,
                                             float[] params, int steps) {
    TokenShard shard = it.next();
    return List.of(scoreRange(shard::get, shard.start(), shard.end(), model, params, steps))
        .iterator();
  }

  /**
   * Scores one token sequence as {@code rnnlm evaluate} scores a one-stream text: from a zero
   * state, left to right in windows of {@code steps} tokens, every token but the first
   * predicted once. Fewer than two tokens: nothing predicted, a zero score.
   */
  public static Score scoreSequence(int[] ids, LanguageModel model, float[] params, int steps) {
    return scoreRange(pos -> ids[(int) pos], 0, ids.length, model, params, steps);
  }

  /** The stream of tokens {@code [start, end)}, read through {@code token}, scored. */
  private static Score scoreRange(LongToIntFunction token, long start, long end,
                                  LanguageModel model, float[] params, int steps) {
    float[] state = new float[model.stateSize()];
    int[] inputs = new int[steps];
    int[] targets = new int[steps];
    double loss = 0;
    long predicted = end - start - 1;
    for (long pos = start; pos < end - 1; pos += steps) {
      int len = (int) Math.min(steps, end - 1 - pos);
      for (int t = 0; t < len; t++) {
        inputs[t] = token.applyAsInt(pos + t);
        targets[t] = token.applyAsInt(pos + t + 1);
      }
      loss += model.loss(params, inputs, targets, 1, len, state);
    }
    return new Score(loss, Math.max(0, predicted));
  }
}
