package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a corpus with real Spark: order, decoding, views (limit, held-out tails). */
class EncodedCorpusTest {
  private static final TextPipeline CHARS = new TextPipeline(Normalizer.D2L, Tokenizer.CHAR);

  @TempDir
  Path dir;

  /** The files under {@code dir}. */
  private CorpusSource filesInDir() {
    return CorpusSource.files(dir.toString());
  }

  /** The tokens of a view in order, decoded back to text. */
  private static String text(EncodedCorpus corpus) {
    TokenShard all = corpus.layout(new long[][] {{0, corpus.tokens()}}).collect().get(0);
    StringBuilder b = new StringBuilder();
    for (long i = all.start(); i < all.end(); i++) {
      b.append(corpus.vocabulary().token(all.get(i)));
    }
    return b.toString();
  }

  @Test
  void filesAreReadInSortedPathOrderWithLinesJoinedAsTheBookDoes() throws IOException {
    Files.writeString(dir.resolve("b.txt"), "Bee bee\nbuzz!\n");
    Files.writeString(dir.resolve("a.txt"), "Ant, ant.\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub").resolve("c.txt"), "cat\n");
    Files.writeString(dir.resolve(".hidden"), "zzz\n");
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(), CHARS,
        null, 0, 0)) {
      assertEquals("ant antbee beebuzzcat", text(corpus));
      assertEquals(21, corpus.tokens());
    }
  }

  @Test
  void malformedUtf8IsReplacedAndCounted() throws IOException {
    byte[] bytes = {'o', 'k', (byte) 0xFF, 'x', '\n', (byte) 0xC3, '\n'};
    Files.write(dir.resolve("bad.txt"), bytes);
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(),
        new TextPipeline(Normalizer.NONE, Tokenizer.CHAR), null, 0, 0)) {
      assertEquals(2, corpus.malformedSequences());
      assertEquals("ok\uFFFDx\n\uFFFD\n", text(corpus));
    }
  }

  @Test
  void limitKeepsTheFirstTokens() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "abcdefghij\n");
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(), CHARS,
        null, 0, 4)) {
      assertEquals("abcd", text(corpus));
    }
  }

  @Test
  void heldOutTailIsTheLastFractionOfEachFileAndNeverInTraining() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "abcdefghijklmnopqrst\n"); // 20 tokens
    Files.writeString(dir.resolve("b.txt"), "uvwxyzuvwx\n"); // 10 tokens
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(), CHARS,
        null, 0, 0)) {
      EncodedCorpus.Split split = corpus.splitTails(0.25);
      // a: 20 - floor(5) = 15 kept; b: 10 - floor(2.5) = 8 kept
      assertEquals("abcdefghijklmnouvwxyzuv", text(split.training()));
      assertEquals("pqrstwx", text(split.validation()));
      assertEquals(corpus.tokens(), split.training().tokens() + split.validation().tokens());
    }
  }

  /**
   * A directory of many small files is read in a few partitions, in path order, and each file's
   * tail is still its own: the chunks of a shared partition never mix files.
   */
  @Test
  void manySmallFilesShareFewPartitionsInPathOrderWithEachFilesTailHeldOut() throws IOException {
    StringBuilder all = new StringBuilder();
    StringBuilder training = new StringBuilder();
    StringBuilder validation = new StringBuilder();
    String letters = "abcdefghijklmnopqrstuvwxyz";
    for (int f = 0; f < 300; f++) {
      String word = letters.substring(f % 13, f % 13 + 4 + f % 7);
      Files.writeString(dir.resolve(String.format("f%03d.txt", f)), word + "\n");
      int kept = word.length() - (int) Math.floor(word.length() * 0.5);
      all.append(word);
      training.append(word, 0, kept);
      validation.append(word.substring(kept));
    }
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(), CHARS,
        null, 0, 0)) {
      assertTrue(corpus.inputPartitions() <= 10, corpus.inputPartitions() + " input partitions");
      assertEquals(all.toString(), text(corpus));
      EncodedCorpus.Split split = corpus.splitTails(0.5);
      assertEquals(training.toString(), text(split.training()));
      assertEquals(validation.toString(), text(split.validation()));
    }
  }

  @Test
  void aFixedVocabularyMapsUnseenTokensToUnknown() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "abz\n");
    Vocabulary vocab = Vocabulary.ofTokens(java.util.List.of("<unk>", "a", "b"));
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(), CHARS,
        vocab, 0, 0)) {
      assertEquals("ab<unk>", text(corpus));
    }
  }

  /** evaluate's out-of-vocabulary count: words the vocabulary lacks, not the text's own <unk>. */
  @Test
  void unknownWordsCountsWordsOutsideTheVocabularyButNotALiteralUnk() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "the cat <unk> sat\non the mat mat\n");
    Vocabulary vocab = Vocabulary.ofTokens(java.util.List.of("<unk>", "the", "on", "sat"));
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), filesInDir(),
        new TextPipeline(Normalizer.NONE, Tokenizer.WORD_EOS), vocab, 0, 0)) {
      assertEquals(10, corpus.tokens(), "8 words and 2 <eos>");
      assertEquals(5, corpus.unknownWords(), "cat, mat twice and the two <eos>");
    }
  }

  @Test
  void missingPathsAndEmptyInputAreNamed() throws IOException {
    InputException missing = assertThrows(InputException.class, () -> EncodedCorpus.read(
        SparkTestContext.get(), CorpusSource.files(dir.resolve("none*.txt").toString()), CHARS, null, 0, 0));
    assertTrue(missing.getMessage().contains("none*.txt"), missing.getMessage());
    Files.writeString(dir.resolve("empty.txt"), "\n\n123\n");
    InputException empty = assertThrows(InputException.class, () -> EncodedCorpus.read(
        SparkTestContext.get(), filesInDir(), CHARS, null, 0, 0));
    assertTrue(empty.getMessage().startsWith("no tokens in input"), empty.getMessage());
  }
}
