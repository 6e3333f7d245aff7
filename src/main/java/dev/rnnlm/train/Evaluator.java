package dev.rnnlm.train;

import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.model.BatchScorer;
import dev.rnnlm.model.LanguageModel;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Perplexity of a text under a model, as a Spark job. The text is cut into N contiguous streams
 * ({@link StreamPlan}); each stream is read left to right in windows of {@code steps} tokens from
 * a zero state carried across windows, and every token but the first of each stream is predicted
 * once. The streams are spread over the partitions in order, and a partition scores its streams
 * together ({@link BatchScorer}: one row per stream in every product). With one stream this is
 * exactly a single left-to-right pass; more streams restart from a zero state at each stream's
 * start, which raises the perplexity a little, and score faster.
 */
public final class Evaluator {
  private Evaluator() {}

  /** Summed cross-entropy and number of predicted tokens. */
  public record Score(double lossSum, long tokens) implements Serializable {
    public double perplexity() {
      return Math.exp(lossSum / tokens);
    }
  }

  /**
   * A text of {@code tokens} tokens cut into {@code streams} contiguous streams, spread over
   * {@code partitions} partitions in order: stream s predicts the targets
   * {@code (start(s), start(s + 1)]} and so reads the tokens {@code [start(s), start(s + 1)]};
   * partition p holds the streams {@code [firstStream(p), firstStream(p + 1))}.
   */
  public record StreamPlan(long tokens, int streams, int partitions) implements Serializable {
    /** At most {@code streams} streams (at least one, one per predicted token at most), over at most as many partitions. */
    public static StreamPlan of(long tokens, int streams, int partitions) {
      int n = (int) Math.max(1, Math.min(streams, tokens - 1));
      return new StreamPlan(tokens, n, Math.max(1, Math.min(partitions, n)));
    }

    /** The first token of stream s; {@code start(streams)} is the text's last token. */
    public long start(int stream) {
      return Math.max(0, stream * (tokens - 1) / streams);
    }

    public int firstStream(int partition) {
      return (int) ((long) partition * streams / partitions);
    }

    /** The streams partition p holds. */
    public int streamsIn(int partition) {
      return firstStream(partition + 1) - firstStream(partition);
    }

    /** The most streams a partition holds: what one task scores. */
    public int maxStreamsPerPartition() {
      return (streams + partitions - 1) / partitions;
    }

    /** The tokens partition p holds: {@code [start, end)}. */
    long[] tokenRange(int partition) {
      return new long[] {start(firstStream(partition)),
          Math.min(tokens, start(firstStream(partition + 1)) + 1)};
    }

    /** Predicted tokens over all streams. */
    long predicted() {
      return Math.max(0, tokens - 1);
    }
  }

  /** Streams laid out on the cluster, one cached {@link TokenShard} per partition. */
  public record Streams(JavaRDD<TokenShard> shards, StreamPlan plan) {
    public void unpersist() {
      shards.unpersist(false);
    }
  }

  /**
   * Scores a corpus in {@code streams} streams spread over {@code partitions} partitions (lays
   * it out, scores, releases the layout).
   */
  public static Score score(JavaSparkContext sc, EncodedCorpus corpus, LanguageModel model,
                            float[] params, int steps, int streams, int partitions) {
    Streams laidOut = layoutStreams(corpus, streams, partitions);
    try {
      return score(sc, laidOut, model, params, steps);
    } finally {
      laidOut.unpersist();
    }
  }

  /** Lays the corpus out as {@link StreamPlan#of}{@code (tokens, streams, partitions)} says, cached. */
  public static Streams layoutStreams(EncodedCorpus corpus, int streams, int partitions) {
    StreamPlan plan = StreamPlan.of(corpus.tokens(), streams, partitions);
    long[][] ranges = new long[plan.partitions()][];
    for (int p = 0; p < plan.partitions(); p++) {
      ranges[p] = plan.tokenRange(p);
    }
    return new Streams(corpus.layout(ranges), plan);
  }

  /**
   * Scores laid-out streams. Each stream's loss comes back to the driver and the losses are
   * summed in stream order, so the figure depends on the stream count and not on how the streams
   * are spread over partitions.
   */
  public static Score score(JavaSparkContext sc, Streams streams, LanguageModel model,
                            float[] params, int steps) {
    StreamPlan plan = streams.plan();
    Broadcast<float[]> bParams = sc.broadcast(params);
    try {
      List<double[]> parts = streams.shards()
          .mapPartitions(it -> scoreStreams(it, plan, model, bParams.value(), steps))
          .collect();
      double loss = 0;
      for (double[] streamLosses : parts) { // collect() keeps partition order: stream order
        for (double l : streamLosses) {
          loss += l;
        }
      }
      return new Score(loss, plan.predicted());
    } finally {
      bParams.destroy();
    }
  }

  /** The losses of a partition's streams, scored together. */
  private static Iterator<double[]> scoreStreams(Iterator<TokenShard> it, StreamPlan plan,
                                                 LanguageModel model, float[] params, int steps) {
    TokenShard shard = it.next();
    int first = plan.firstStream(shard.partition());
    int count = plan.streamsIn(shard.partition());
    BatchScorer.Sequences streams = new BatchScorer.Sequences() {
      @Override
      public int count() {
        return count;
      }

      @Override
      public long length(int s) {
        return plan.start(first + s + 1) - plan.start(first + s) + 1;
      }

      @Override
      public int token(int s, long position) {
        return shard.get(plan.start(first + s) + position);
      }
    };
    return List.of(new BatchScorer(model, params, steps, Math.max(1, count)).score(streams))
        .iterator();
  }

  /**
   * Scores one token sequence as {@code rnnlm evaluate} scores a one-stream text: from a zero
   * state, left to right in windows of {@code steps} tokens, every token but the first
   * predicted once. Fewer than two tokens: nothing predicted, a zero score.
   */
  public static Score scoreSequence(int[] ids, LanguageModel model, float[] params, int steps) {
    double[] loss = new BatchScorer(model, params, steps, 1)
        .score(BatchScorer.Sequences.of(List.of(ids)));
    return new Score(loss[0], Math.max(0, ids.length - 1));
  }
}
