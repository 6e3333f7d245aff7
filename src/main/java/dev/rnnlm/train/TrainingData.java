package dev.rnnlm.train;

import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A corpus laid out for training: one cached {@link TokenShard} per partition, the vocabulary,
 * the window plan and what the log reports about the corpus. Close it to release the cache.
 *
 * @param shards partition p holds the token range {@code plan.tokenRange(p)}
 * @param samplePrefix ids of the prefix used for samples during training
 * @param malformedSequences malformed UTF-8 sequences replaced while reading
 */
public record TrainingData(JavaRDD<TokenShard> shards, Vocabulary vocabulary, WindowPlan plan,
                           double unigramPerplexity, List<Integer> samplePrefix,
                           long malformedSequences) implements AutoCloseable {
  private static final int SAMPLE_PREFIX_TOKENS = 10;

  /** Reads, tokenizes and lays out {@code s.input()}; fails clearly when it cannot fill a step. */
  public static TrainingData prepare(JavaSparkContext sc, TrainSettings s) throws IOException {
    TextPipeline pipeline = new TextPipeline(s.normalize(), s.tokens());
    try (EncodedCorpus corpus = EncodedCorpus.read(sc, s.input(), pipeline, null, s.minFreq(),
        s.maxTokens())) {
      Vocabulary vocab = corpus.vocabulary();
      int partitions = s.partitions() > 0 ? s.partitions()
          : Math.max(1, Math.min(s.batch(), sc.defaultParallelism()));
      WindowPlan plan = new WindowPlan(corpus.tokens(), s.batch(), s.steps(), partitions,
          s.sampling(), s.seed());
      plan.requireAtLeastOneStep();
      List<Integer> prefix = s.samplePrefix().isEmpty()
          ? Arrays.stream(corpus.head(SAMPLE_PREFIX_TOKENS)).boxed().toList()
          : pipeline.tokenizeText(s.samplePrefix()).stream().map(vocab::id).toList();
      long[][] ranges = new long[partitions][];
      for (int p = 0; p < partitions; p++) {
        ranges[p] = plan.tokenRange(p);
      }
      return new TrainingData(corpus.layout(ranges), vocab, plan,
          unigramPerplexity(corpus.idCounts()), prefix, corpus.malformedSequences());
    }
  }

  /** Tokens in the training corpus. */
  public long tokens() {
    return plan.tokens();
  }

  @Override
  public void close() {
    shards.unpersist(false);
  }

  /** exp of the entropy of the token frequencies: the perplexity of a unigram model. */
  static double unigramPerplexity(long[] counts) {
    double total = Arrays.stream(counts).sum();
    double entropy = 0;
    for (long c : counts) {
      if (c > 0) {
        double p = c / total;
        entropy -= p * Math.log(p);
      }
    }
    return Math.exp(entropy);
  }
}
