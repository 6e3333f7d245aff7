package dev.rnnlm.train;

import dev.rnnlm.data.CorpusSource;
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
 * A corpus laid out for training: one cached {@link TokenShard} per partition with its window
 * plan, the vocabulary, the validation text, and what the log reports about the corpus. Close it
 * to release the cache.
 *
 * @param layout the training shards and their plan
 * @param vocabulary token ids
 * @param heldOut validation text as evaluation streams, or null without validation
 * @param samplePrefix ids of the prefix used for samples during training
 * @param report what reading found and what it cost
 */
public record TrainingData(Layout layout, Vocabulary vocabulary, HeldOut heldOut,
                           List<Integer> samplePrefix, CorpusReport report) implements AutoCloseable {
  /** Partition p holds the token range {@code plan.tokenRange(p)} of the training corpus. */
  public record Layout(JavaRDD<TokenShard> shards, WindowPlan plan) {}

  /**
   * Validation streams ({@link Evaluator#layoutStreams}), the tokens they hold, and the bytes of
   * text per token ({@link TextPipeline#tokenBytes}), which turn a loss per token into bits per byte.
   */
  public record HeldOut(Evaluator.Streams streams, long tokens, double bytesPerToken) {}

  /**
   * @param unigramPerplexity of the training corpus's token frequencies
   * @param malformedSequences malformed UTF-8 sequences replaced while reading
   * @param unknownTokens training tokens that map to {@code <unk>}
   * @param readNanos reading, tokenizing and counting the vocabulary (validation text included)
   * @param layoutNanos laying the corpus out per partition and caching it
   * @param bytesPerToken bytes of text per training token ({@link TextPipeline#tokenBytes})
   */
  public record CorpusReport(double unigramPerplexity, long malformedSequences, long unknownTokens,
                             long readNanos, long layoutNanos, double bytesPerToken) {}

  private static final int SAMPLE_PREFIX_TOKENS = 10;

  /**
   * Reads, tokenizes and lays out {@code s.input()}, and the validation text when asked for
   * (a separate input read with the training vocabulary, or the held-out tail of each input
   * file); fails clearly when the corpus cannot fill a step.
   */
  public static TrainingData prepare(JavaSparkContext sc, TrainSettings s) throws IOException {
    CorpusSource corpus = CorpusSource.files(s.input());
    return prepare(sc, s, corpus, TrainingText.of(sc, s, corpus, null, null, System.out), null);
  }

  /**
   * As {@link #prepare(JavaSparkContext, TrainSettings)}, reading {@code source} instead of
   * {@code s.input()} (with a validation fraction, a source of lines is one input file),
   * encoding with {@code pipeline}, and with the vocabulary fixed when {@code fixedVocabulary} is
   * given (a warm start): tokens it lacks map to {@code <unk>}.
   */
  public static TrainingData prepare(JavaSparkContext sc, TrainSettings s, CorpusSource source,
                                     TextPipeline pipeline, Vocabulary fixedVocabulary) throws IOException {
    long start = System.nanoTime();
    sc.setJobDescription("read, encode and count the corpus");
    try (EncodedCorpus all = EncodedCorpus.read(sc, source, pipeline, fixedVocabulary,
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
          : pipeline.encodeText(s.samplePrefix(), vocab);
      long[][] ranges = new long[partitions][];
      for (int p = 0; p < partitions; p++) {
        ranges[p] = plan.tokenRange(p);
      }
      HeldOut validation = null;
      int valStreams = s.valStreams() > 0 ? s.valStreams() : partitions;
      int[] tokenBytes = pipeline.tokenBytes(vocab);
      if (heldOut != null) {
        validation = new HeldOut(Evaluator.layoutStreams(heldOut, valStreams, partitions),
            heldOut.tokens(), heldOut.bytesPerToken(tokenBytes));
      } else if (!s.val().isEmpty()) {
        try (EncodedCorpus val = EncodedCorpus.read(sc, CorpusSource.files(s.val()), pipeline, vocab, 0, 0)) {
          validation = new HeldOut(Evaluator.layoutStreams(val, valStreams, partitions),
              val.tokens(), val.bytesPerToken(tokenBytes));
        }
      }
      long[] idCounts = corpus.idCounts();
      long read = System.nanoTime();
      sc.setJobDescription("lay the corpus out over " + partitions + " partitions");
      JavaRDD<TokenShard> shards = corpus.layout(ranges);
      return new TrainingData(new Layout(shards, plan), vocab, validation, prefix,
          new CorpusReport(unigramPerplexity(idCounts), corpus.malformedSequences(),
              vocab.hasUnknown() ? idCounts[Vocabulary.UNKNOWN_ID] : 0, read - start, System.nanoTime() - read,
              EncodedCorpus.bytesPerToken(idCounts, tokenBytes)));
    }
  }

  public JavaRDD<TokenShard> shards() {
    return layout.shards();
  }

  public WindowPlan plan() {
    return layout.plan();
  }

  /** Tokens in the training corpus. */
  public long tokens() {
    return plan().tokens();
  }

  /** The validation streams, or null without validation. */
  public Evaluator.Streams validation() {
    return heldOut == null ? null : heldOut.streams();
  }

  /** Tokens in the validation text (0 without validation). */
  public long validationTokens() {
    return heldOut == null ? 0 : heldOut.tokens();
  }

  @Override
  public void close() {
    shards().unpersist(false);
    if (heldOut != null) {
      heldOut.streams().unpersist();
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
