package dev.rnnlm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TextPipelineTest {

  private static List<String> lineTokens(TextPipeline pipeline, String... lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      pipeline.tokenizeLine(line, out::add);
    }
    return out;
  }

  private static List<String> chars(String s) {
    List<String> out = new ArrayList<>();
    s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
    return out;
  }

  /** Expected values computed with Python: re.sub('[^A-Za-z]+', ' ', line).strip().lower(). */
  static List<Arguments> d2lLines() {
    return List.of(
        Arguments.of("The Time Machine, by H. G. Wells [1898]", "the time machine by h g wells"),
        Arguments.of("  --Hello!!  ", "hello"),
        Arguments.of("123", ""),
        Arguments.of("", ""),
        Arguments.of("caf\u00e9 au lait", "caf au lait"),
        Arguments.of("na\u00efve", "na ve"),
        Arguments.of("\u00c9COLE", "cole"),
        Arguments.of("a1b2c3", "a b c"),
        Arguments.of("\tTabs\tand\r", "tabs and"),
        Arguments.of("emoji\ud83d\ude00x", "emoji x"),
        Arguments.of("\u0130stanbul", "stanbul"),
        Arguments.of("stra\u00dfe", "stra e"),
        Arguments.of("don't  stop", "don t stop"),
        Arguments.of("x", "x"));
  }

  @ParameterizedTest
  @MethodSource("d2lLines")
  void d2lNormalizationEqualsTheReferenceRegex(String line, String expected) {
    assertEquals(expected, Normalizer.D2L.apply(line));
  }

  @Test
  void d2lCharTokensOfLinesAreConcatenatedWithoutSeparator() {
    TextPipeline d2l = new TextPipeline(Normalizer.D2L, Tokenizer.CHAR);
    List<String> tokens = lineTokens(d2l, "The Time", "", "--Machine!", "1898");
    // Python: [ch for l in lines for ch in l]
    assertEquals(chars("the timemachine"), tokens);
    assertFalse(tokens.contains(Tokenizer.LINE_BREAK));
    assertEquals(chars("the timemachine"), d2l.tokenizeText("The Time\n\n--Machine!\n1898"));
    assertFalse(Normalizer.D2L.keepsLineBreaks());
  }

  @Test
  void noneKeepsTextExactlyPlusALineBreakTokenPerLine() {
    TextPipeline none = new TextPipeline(Normalizer.NONE, Tokenizer.CHAR);
    String line1 = "  H\u00e9llo, World! 1898\t";
    String line2 = "";
    String line3 = "x";
    List<String> expected = new ArrayList<>(chars(line1));
    expected.add("\n");
    expected.add("\n");
    expected.add("x");
    expected.add("\n");
    assertEquals(expected, lineTokens(none, line1, line2, line3));
    assertEquals(line1, Normalizer.NONE.apply(line1));
  }

  @Test
  void lowerLowercasesAndKeepsEverythingElse() {
    assertEquals("hello \u00e9cole, 42!", Normalizer.LOWER.apply("HeLLo \u00c9COLE, 42!"));
    TextPipeline lower = new TextPipeline(Normalizer.LOWER, Tokenizer.CHAR);
    List<String> expected = new ArrayList<>(chars("ab c"));
    expected.add("\n");
    assertEquals(expected, lineTokens(lower, "AB c"));
  }

  @Test
  void wordTokenizerSplitsOnWhitespaceRunsAndNeverEmitsLineBreaks() {
    TextPipeline words = new TextPipeline(Normalizer.NONE, Tokenizer.WORD);
    assertEquals(List.of("the", "quick", "brown,", "fox"),
        lineTokens(words, "  the  quick\tbrown, \t fox  "));
    assertEquals(List.of(), lineTokens(words, ""));
    assertEquals(List.of(), lineTokens(words, " \t "));
    assertEquals(List.of("a", "b", "c", "d"), words.tokenizeText("a b\nc  d\n"));
    assertEquals(List.of("a", "b"), lineTokens(words, "a", "", "b"));

    TextPipeline d2lWords = new TextPipeline(Normalizer.D2L, Tokenizer.WORD);
    assertEquals(List.of("the", "time", "machine"), lineTokens(d2lWords, "The Time-Machine!!"));
  }

  /** PyTorch's word_language_model: words, then <eos> at every line end, blank lines included. */
  @Test
  void wordEosTokenizerEndsEveryLineWithEosAndGeneratesItAsALineBreak() {
    TextPipeline words = new TextPipeline(Normalizer.NONE, Tokenizer.WORD_EOS);
    assertEquals(List.of("the", "cat", "<eos>"), lineTokens(words, " the  cat "));
    assertEquals(List.of("a", "<eos>", "<eos>", "b", "<eos>"), lineTokens(words, "a", " ", "b"));
    assertEquals(List.of("a", "b", "<eos>", "c"), words.tokenizeText("a b\nc"));
    assertEquals("a b\nc\n\nd", Tokenizer.WORD_EOS.join(List.of("a", "b", "<eos>", "c", "<eos>", "<eos>", "d")));
    assertEquals(Tokenizer.WORD_EOS, Tokenizer.parse("word-eos"));
    assertEquals("word-eos", Tokenizer.WORD_EOS.optionName());
    // d2l joins lines: there is no line end to mark.
    assertEquals(List.of("the", "time"), lineTokens(new TextPipeline(Normalizer.D2L, Tokenizer.WORD_EOS), "The Time"));
  }

  @Test
  void charTokenizerKeepsASupplementaryCodePointAsOneToken() {
    List<String> out = new ArrayList<>();
    Tokenizer.CHAR.tokenize("a\ud83d\ude00b", false, out::add);
    assertEquals(List.of("a", "\ud83d\ude00", "b"), out);

    TextPipeline none = new TextPipeline(Normalizer.NONE, Tokenizer.CHAR);
    assertEquals(List.of("\ud83d\ude00", "\n", "\ud83d\udc4d"), none.tokenizeText("\ud83d\ude00\n\ud83d\udc4d"));
  }

  @Test
  void tokenizeTextHasNoTrailingLineBreak() {
    TextPipeline none = new TextPipeline(Normalizer.NONE, Tokenizer.CHAR);
    assertEquals(List.of("a", "\n", "b"), none.tokenizeText("a\nb"));
    assertEquals(List.of("a", "b"), none.tokenizeText("ab"));
    assertEquals(List.of(), none.tokenizeText(""));
    TextPipeline d2l = new TextPipeline(Normalizer.D2L, Tokenizer.CHAR);
    assertEquals(List.of("a", "b"), d2l.tokenizeText("a\nb"));
  }

  @Test
  void joinInvertsTokenizationOfNormalizedText() {
    assertEquals("time traveller", Tokenizer.CHAR.join(chars("time traveller")));
    assertEquals("the time traveller", Tokenizer.WORD.join(List.of("the", "time", "traveller")));
  }

  @Test
  void parseAcceptsAnyCaseAndErrorsNameTheBadValue() {
    assertEquals(Normalizer.D2L, Normalizer.parse("D2L"));
    assertEquals(Normalizer.NONE, Normalizer.parse("none"));
    assertEquals(Normalizer.LOWER, Normalizer.parse("Lower"));
    assertEquals(Tokenizer.CHAR, Tokenizer.parse("Char"));
    assertEquals(Tokenizer.WORD, Tokenizer.parse("word"));
    assertEquals("d2l", Normalizer.D2L.optionName());
    assertEquals("word", Tokenizer.WORD.optionName());

    IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Normalizer.parse("shout"));
    assertTrue(n.getMessage().contains("'shout'"), n.getMessage());
    IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> Tokenizer.parse("bytes"));
    assertTrue(t.getMessage().contains("'bytes'"), t.getMessage());
  }
}
