package dev.rnnlm.train;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.InputException;
import dev.rnnlm.data.PreTokenCounts;
import dev.rnnlm.text.BpeLearner;
import dev.rnnlm.text.SubwordTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;

/**
 * {@code --tokens bpe}: learns a byte-level BPE from the training text (the run's corpus source). The pre-token counts are
 * a Spark job over the corpus (the part that grows with it); the merges are chosen on the driver
 * from those counts, where each merge updates only the pair counts of the pre-tokens it touches
 * ({@link BpeLearner}). The result is a Hugging Face tokenizer.json, loaded into the library that
 * then encodes the training text.
 */
final class SubwordLearning {
  /** Progress lines at most this often. */
  private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

  private SubwordLearning() {}

  static SubwordTokenizer learn(org.apache.spark.api.java.JavaSparkContext sc, TrainSettings s, CorpusSource corpus,
                                PrintStream out) throws IOException {
    long start = System.nanoTime();
    sc.setJobDescription("bpe: count the pre-tokens of " + s.input());
    SortedMap<String, Long> counts = PreTokenCounts.count(sc, corpus, s.normalize());
    long counted = System.nanoTime();
    long words = counts.values().stream().mapToLong(Long::longValue).sum();
    int wanted = s.vocabSize() - 256;
    out.printf("bpe: %,d words (%,d distinct) counted in %.1f s; learning %,d merges%n", words, counts.size(),
        (counted - start) / 1e9, wanted);
    long[] lastReport = {counted};
    BpeLearner.Learned learned = BpeLearner.learn(counts, s.vocabSize(), done -> {
      long now = System.nanoTime();
      if (now - lastReport[0] >= PROGRESS_INTERVAL_NANOS && done < wanted) {
        lastReport[0] = now;
        double perMerge = (now - counted) / 1e9 / done;
        out.printf("bpe: %,d of %,d merges, %.0f s, about %.0f s left%n", done, wanted, (now - counted) / 1e9,
            perMerge * (wanted - done));
      }
    });
    int learnedSize = learned.vocab().size();
    if (learnedSize < s.vocabSize()) {
      throw new InputException("--vocab-size " + s.vocabSize() + ": the text of " + s.input() + " yields only "
          + learned.mergeCount() + " merges (a vocabulary of " + learnedSize + "); use --vocab-size "
          + learnedSize + " or less, or more text");
    }
    SubwordTokenizer tokenizer = SubwordTokenizer.of(learned.toTokenizerJson().getBytes(StandardCharsets.UTF_8),
        "the learned BPE");
    out.printf("bpe: learned %,d merges in %.1f s (counting %.1f s, merging %.1f s); vocabulary %,d%n",
        learned.mergeCount(), (System.nanoTime() - start) / 1e9, (counted - start) / 1e9,
        (System.nanoTime() - counted) / 1e9, tokenizer.tokens().size());
    return tokenizer;
  }
}
