package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.PreTokenCounts;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.SubwordTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** A BPE learned with Spark depends on the text alone: not on the run, nor on how the text is partitioned. */
class SubwordLearningTest {
  private static TrainSettings bpe(int vocabSize) {
    return TrainOptions.fromMap(Map.of("input", SparkTestContext.sampleData().toString(), "model", "unused",
        "tokens", "bpe", "vocab-size", Integer.toString(vocabSize)));
  }

  private static SubwordTokenizer learn(TrainSettings s, PrintStream out) throws IOException {
    return SubwordLearning.learn(SparkTestContext.get(), s, CorpusSource.files(s.input()), out);
  }

  @Test
  void preTokenCountsAreTheSameForAnyPartitionCount() throws Exception {
    CorpusSource input = CorpusSource.files(SparkTestContext.sampleData().toString());
    SortedMap<String, Long> one = PreTokenCounts.count(SparkTestContext.get(), input, Normalizer.NONE, 1);
    SortedMap<String, Long> seven = PreTokenCounts.count(SparkTestContext.get(), input, Normalizer.NONE, 7);
    assertEquals(one, seven);
    // Every byte of the text is in exactly one pre-token: the counts add up to the file sizes.
    long bytes = one.entrySet().stream()
        .mapToLong(e -> e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length * e.getValue()).sum();
    long fileBytes = 0;
    try (var files = java.nio.file.Files.list(SparkTestContext.sampleData())) {
      for (var f : files.toList()) {
        fileBytes += java.nio.file.Files.size(f);
      }
    }
    assertEquals(fileBytes, bytes);
  }

  @Test
  void twoRunsLearnByteIdenticalTokenizers() throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    byte[] first = learn(bpe(600), quiet).json();
    byte[] second = learn(bpe(600), quiet).json();
    assertArrayEquals(first, second);
    assertNotEquals(new String(first), new String(learn(bpe(601), quiet).json()));
  }

  @Test
  void learningReportsWhatItCountedAndLearned() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    learn(bpe(300), new PrintStream(log, true));
    String out = log.toString();
    assertTrue(out.matches("(?s)bpe: [0-9,]+ words \\([0-9,]+ distinct\\) counted in [0-9.]+ s; learning 44 merges\n"
        + "bpe: learned 44 merges in [0-9.]+ s \\(counting [0-9.]+ s, merging [0-9.]+ s\\); vocabulary 300\n"), out);
  }
}
