package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source of lines reads exactly as one file holding them, each followed by a line break: the
 * same ids at the same positions, the same vocabulary, the same held-out tail.
 */
class CorpusSourceTest {
  /**
   * Rows with what a line can hold: an empty row, a row without a word, a null row (skipped), a
   * line break inside a row, carriage returns before a line break and alone, text beyond ASCII.
   */
  private static final List<String> ROWS = Arrays.asList(
      "The clockmaker kept the shop on Copper Lane.", "", "   ", null, "two lines\nin one row",
      "a row ending in a carriage return\r", "crlf\r\ninside", "a lone\rcarriage return",
      "Ünïcödé — 時計 and more", "a row ending in a line break\n", "  spaced   out  ", "the end");

  private static final List<TextPipeline> PIPELINES = List.of(
      new TextPipeline(Normalizer.NONE, Tokenizer.CHAR),
      new TextPipeline(Normalizer.D2L, Tokenizer.CHAR),
      new TextPipeline(Normalizer.LOWER, Tokenizer.WORD_EOS));

  @TempDir
  Path dir;

  /** {@code rows} in partitions of the given sizes, in order (a size of 0: an empty partition). */
  private static JavaRDD<String> partitioned(List<String> rows, int... sizes) {
    JavaSparkContext sc = SparkTestContext.get();
    JavaRDD<String> all = null;
    int from = 0;
    for (int size : sizes) {
      JavaRDD<String> part = sc.parallelize(new ArrayList<>(rows.subList(from, from + size)), 1);
      all = all == null ? part : all.union(part);
      from += size;
    }
    assertEquals(rows.size(), from, "the sizes cover the rows");
    return all;
  }

  /** A file holding the non-null rows, each followed by a line break: what a staged corpus held. */
  private CorpusSource fileOf(List<String> rows) throws IOException {
    StringBuilder text = new StringBuilder();
    rows.stream().filter(Objects::nonNull).forEach(row -> text.append(row).append('\n'));
    Path file = Files.writeString(dir.resolve("rows.txt"), text, StandardCharsets.UTF_8);
    return CorpusSource.files(file.toString());
  }

  /** Every id of a view, in order, through a layout in several ranges (so positions count). */
  private static int[] ids(EncodedCorpus corpus) {
    long n = corpus.tokens();
    long[][] ranges = {{0, n / 3}, {n / 3, n / 2}, {n / 2, n}};
    int[] ids = new int[Math.toIntExact(n)];
    for (TokenShard shard : corpus.layout(ranges).collect()) {
      assertEquals(ranges[shard.partition()][0], shard.start(), "range start of partition " + shard.partition());
      assertEquals(ranges[shard.partition()][1], shard.end(), "range end of partition " + shard.partition());
      for (long i = shard.start(); i < shard.end(); i++) {
        ids[(int) i] = shard.get(i);
      }
    }
    return ids;
  }

  private static void assertSameCorpus(EncodedCorpus expected, EncodedCorpus actual, String what) {
    assertEquals(expected.vocabulary().tokens(), actual.vocabulary().tokens(), what + ": vocabulary");
    assertEquals(expected.tokens(), actual.tokens(), what + ": tokens");
    assertArrayEquals(ids(expected), ids(actual), what + ": ids in order");
    assertEquals(expected.malformedSequences(), actual.malformedSequences(), what + ": malformed sequences");
  }

  @Test
  void linesGiveTheIdsPositionsAndVocabularyOfTheFileHoldingThem() throws IOException {
    JavaSparkContext sc = SparkTestContext.get();
    CorpusSource file = fileOf(ROWS);
    JavaRDD<String> rows = partitioned(ROWS, 3, 0, 2, 4, 0, 3);
    assertTrue(rows.getNumPartitions() == 6, "six partitions, two of them empty");
    for (TextPipeline pipeline : PIPELINES) {
      String what = pipeline.normalizer() + " " + pipeline.tokenizer();
      try (EncodedCorpus fromFile = EncodedCorpus.read(sc, file, pipeline, null, 0, 0);
           EncodedCorpus fromLines = EncodedCorpus.read(sc, CorpusSource.lines(rows, "rows"), pipeline,
               null, 0, 0)) {
        assertSameCorpus(fromFile, fromLines, what);
        // The lines are one file: its tail is held out, not each partition's.
        EncodedCorpus.Split fileSplit = fromFile.splitTails(0.3);
        EncodedCorpus.Split linesSplit = fromLines.splitTails(0.3);
        assertSameCorpus(fileSplit.training(), linesSplit.training(), what + " training view");
        assertSameCorpus(fileSplit.validation(), linesSplit.validation(), what + " held-out view");
        assertSameCorpus(fromFile.limit(40), fromLines.limit(40), what + " first 40 tokens");
      }
    }
  }

  /**
   * Rows longer than a line piece (1 MiB) are cut where a file's lines are: between words when
   * there is a space before a letter, else at a character boundary (two-byte characters here).
   */
  @Test
  void linesLongerThanAPieceAreCutAsInTheFile() throws IOException {
    StringBuilder words = new StringBuilder();
    for (int i = 0; words.length() < (1 << 20) + 5000; i++) {
      words.append(i % 7 == 0 ? "clock " : "tick ").append(i % 11 == 0 ? "- " : "");
    }
    List<String> rows = List.of("short", words.toString(), "é".repeat(600_000) + "x", "end");
    JavaRDD<String> lines = partitioned(rows, 2, 2);
    for (TextPipeline pipeline : List.of(new TextPipeline(Normalizer.NONE, Tokenizer.WORD),
        new TextPipeline(Normalizer.NONE, Tokenizer.CHAR))) {
      try (EncodedCorpus fromFile = EncodedCorpus.read(SparkTestContext.get(), fileOf(rows), pipeline, null, 0, 0);
           EncodedCorpus fromLines = EncodedCorpus.read(SparkTestContext.get(), CorpusSource.lines(lines, "rows"),
               pipeline, null, 0, 0)) {
        assertSameCorpus(fromFile, fromLines, pipeline.tokenizer().toString());
      }
    }
  }

  @Test
  void aBpeLearnedFromLinesCountsThePreTokensOfTheFile() throws IOException {
    JavaSparkContext sc = SparkTestContext.get();
    assertEquals(PreTokenCounts.count(sc, fileOf(ROWS), Normalizer.NONE),
        PreTokenCounts.count(sc, CorpusSource.lines(partitioned(ROWS, 5, 0, 7), "rows"), Normalizer.NONE));
  }

  @Test
  void linesWithoutTokensAreNamedInTheMessage() {
    JavaRDD<String> blank = partitioned(Arrays.asList("", null, "  "), 1, 0, 2);
    InputException e = assertThrows(InputException.class, () -> EncodedCorpus.read(SparkTestContext.get(),
        CorpusSource.lines(blank, "inputCol 'text'"), new TextPipeline(Normalizer.NONE, Tokenizer.WORD),
        null, 0, 0));
    assertEquals("no tokens in inputCol 'text'", e.getMessage());
  }

  @Test
  void lineBytesAreTheNonNullStringsInUtf8EachFollowedByALineBreak() throws IOException {
    byte[] bytes = new CorpusSource.LineBytes(Arrays.asList("a", null, "", "é\r", "b\nc").iterator())
        .readAllBytes();
    assertEquals("a\n\né\r\nb\nc\n", new String(bytes, StandardCharsets.UTF_8));
  }
}
