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
 * @param validation validation text as evaluation streams ({@link Evaluator#layoutStreams}),
 *     or null
 * @param validationTokens tokens in the validation text (0 without validation)
 * @param samplePrefix ids of the prefix used for samples during training
 * @param malformedSequences malformed UTF-8 sequences replaced while reading
 * @param unknownTokens training tokens that map to {@code <unk>}
 * @param readNanos reading, tokenizing and counting the vocabulary (validation text included)
 * @param layoutNanos laying the corpus out per partition and caching it
 */
public record TrainingData(JavaRDD<TokenShard> shards, Vocabulary vocabulary, WindowPlan plan,
                           JavaRDD<TokenShard> validation, long validationTokens,
                           double unigramPerplexity, List<Integer> samplePrefix,
                           long malformedSequences, long unknownTokens, long readNanos,
                           long layoutNanos) implements AutoCloseable {
  private static final int SAMPLE_PREFIX_TOKENS = 10;

  /**
   * Reads, tokenizes and lays out {@code s.input()}, and the validation text when asked for
   * (a separate input read with the training vocabulary, or the held-out tail of each input
   * file); fails clearly when the corpus cannot fill a step.
   */
  public static TrainingData prepare(JavaSparkContext sc, TrainSettings s) throws IOException {
    return prepare(sc, s, null);
  }

  /**
   * As {@link #prepare(JavaSparkContext, TrainSettings)}, with the vocabulary fixed when
   * {@code fixedVocabulary} is given (a warm start): tokens it lacks map to {@code <unk>}.
   */
  public static TrainingData prepare(JavaSparkContext sc, TrainSettings s,
                                     Vocabulary fixedVocabulary) throws IOException {
    long start = System.nanoTime();
    TextPipeline pipeline = new TextPipeline(s.normalize(), s.tokens());
    try (EncodedCorpus all = EncodedCorpus.read(sc, s.input(), pipeline, fixedVocabulary,
        s.minFreq(), s.maxVocab(), 0)) {
      EncodedCorpus corpus = all;
      EncodedCorpus heldOut = null;
      if (s.valFraction() > 0) {
        EncodedCorpus.Split split = all.splitTails(s.valFraction());
        corpus = split.training();
        heldOut = split.validation();
      }
      if (s.maxTokens() > 0) {
        corpus = corpus.limit(s.maxTokens());
      }
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
      JavaRDD<TokenShard> validation = null;
      long validationTokens = 0;
      if (heldOut != null) {
        validation = Evaluator.layoutStreams(heldOut, partitions);
        validationTokens = heldOut.tokens();
      } else if (!s.val().isEmpty()) {
        try (EncodedCorpus val = EncodedCorpus.read(sc, s.val(), pipeline, vocab, 0, 0)) {
          validation = Evaluator.layoutStreams(val, partitions);
          validationTokens = val.tokens();
        }
      }
      long[] idCounts = corpus.idCounts();
      long read = System.nanoTime();
      JavaRDD<TokenShard> shards = corpus.layout(ranges);
      return new TrainingData(shards, vocab, plan, validation, validationTokens,
          unigramPerplexity(idCounts), prefix, corpus.malformedSequences(),
          idCounts[Vocabulary.UNKNOWN_ID], read - start, System.nanoTime() - read);
    }
  }

  /** Tokens in the training corpus. */
  public long tokens() {
    return plan.tokens();
  }

  @Override
  public void close() {
    shards.unpersist(false);
    if (validation != null) {
      validation.unpersist(false);
    }
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
