package dev.rnnlm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BpeLearnerTest {

  private static final Path SAMPLE_DATA = Path.of("sample-data");

  /** Non-ASCII lines mixed into the training text so that merges span multi-byte characters. */
  private static final List<String> NON_ASCII_TRAINING_LINES = List.of(
      "Der Uhrmacher öffnete die Tür und sagte: „Grüß Gott“ — dann schwieg er.",
      "Le gardien du phare écoutait la mer ; à l'aube, il notait l'heure exacte.",
      "Über den Dächern läuteten die Glocken, und die Möwen schrien über der Küste.",
      "Café, crème brûlée et thé : « déjà vu », dit-elle à l'horloger.");

  /** Held-out lines the learner never saw: other scripts, odd spacing, digits, punctuation. */
  private static final List<String> UNSEEN_LINES = List.of(
      "  Two leading spaces, then 3 numbers: 12, 345 and 6789!\n",
      "\ttab-indented line with trailing spaces   \n",
      "Grüße aus Köln: 25°C, Straße naß — „schön“.\n",
      "日本語のテキストも、バイト単位で符号化される。\n",
      "Emoji 🙂🚀 and math ∑x² ≤ ∞; a\u00A0non-breaking space and an\u3000ideographic one.\n",
      "It's, they're, we've, I'm, you'll, he'd — DON'T shout!!!\n",
      "\n",
      "   \n",
      "x",
      "a  b   c    d\n\n\n",
      "Ελληνικά και русский текст, 12.5% off (was $40.00)...\n");

  private static SortedMap<String, Long> countPreTokens(List<String> lines) {
    SortedMap<String, Long> counts = new TreeMap<>();
    for (String line : lines) {
      ByteLevel.preTokenize(line, piece -> counts.merge(piece, 1L, Long::sum));
    }
    return counts;
  }

  /** Every line of the sample-data files, with its "\n". */
  private static List<String> sampleLines() throws IOException {
    List<String> lines = new ArrayList<>();
    try (var files = Files.list(SAMPLE_DATA)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          lines.add(line + "\n");
        }
      }
    }
    return lines;
  }

  private static HuggingFaceTokenizer library(String tokenizerJson) throws IOException {
    return HuggingFaceTokenizer.newInstance(
        new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)),
        Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
  }

  private static long[] asLongs(int[] ids) {
    return Arrays.stream(ids).asLongStream().toArray();
  }

  private static List<String> mergeLines(BpeLearner.Learned learned) {
    return learned.merges().stream().map(m -> m[0] + " " + m[1]).toList();
  }

  /** Asserts the library and the reference encoder agree on every line, and decoding restores it. */
  private static void assertLibraryEncodesAsReference(BpeLearner.Learned learned, List<String> lines)
      throws IOException {
    try (HuggingFaceTokenizer tok = library(learned.toTokenizerJson())) {
      for (String line : lines) {
        long[] ids = tok.encode(line, false, false).getIds();
        assertArrayEquals(asLongs(learned.encode(line)), ids, () -> "ids of '" + line + "'");
        assertEquals(line, tok.decode(ids, false), "decoded ids of '" + line + "'");
      }
    }
  }

  @Test
  void theFirstMergesOfATinyCorpusAreTheHandCountedOnes() {
    SortedMap<String, Long> counts =
        new TreeMap<>(Map.of("low", 5L, " lower", 2L, " newest", 6L, " widest", 3L));
    BpeLearner.Learned learned = BpeLearner.learn(counts, 256 + 6, null);
    // (e,s) and (s,t) both count 9; 'e' < 's'. Then (es,t) 9; (l,o) 7 before (o,w) 7; (lo,w) 7;
    // then four pairs at 6, of which (Ġ,n) has the smallest left id, then (e,w) beats (n,e), (w,est).
    assertEquals(List.of("e s", "es t", "l o", "lo w", "Ġ n", "e w"), mergeLines(learned));
    assertEquals(List.of("es", "est", "lo", "low", "Ġn", "ew"), learned.vocab().subList(256, 262));
    assertEquals(262, learned.vocab().size());
    for (int b = 0; b < 256; b++) {
      assertEquals(String.valueOf(ByteLevel.byteChar(b)), learned.vocab().get(b));
    }
    assertArrayEquals(new int[] {' ', 259, 260, 261, 257}, learned.encode(" low newest"));
    assertArrayEquals(new int[] {259}, learned.encode("low"));
  }

  @Test
  void overlappingOccurrencesMergeLeftToRight() {
    BpeLearner.Learned three = BpeLearner.learn(new TreeMap<>(Map.of("aaa", 1L)), 300, null);
    assertEquals(List.of("a a", "aa a"), mergeLines(three));
    BpeLearner.Learned four = BpeLearner.learn(new TreeMap<>(Map.of("aaaa", 1L)), 300, null);
    assertEquals(List.of("a a", "aa aa"), mergeLines(four));
    assertArrayEquals(new int[] {257}, three.encode("aaa"));
    assertArrayEquals(new int[] {256, 257}, three.encode("aaaaa"));
  }

  @Test
  void learningIsDeterministicAndIndependentOfWordOrder() throws IOException {
    SortedMap<String, Long> counts = countPreTokens(sampleLines());
    String json = BpeLearner.learn(counts, 700, null).toTokenizerJson();
    assertEquals(json, BpeLearner.learn(counts, 700, null).toTokenizerJson());

    SortedMap<String, Long> reversed = new TreeMap<>(Comparator.reverseOrder());
    reversed.putAll(new HashMap<>(counts));
    assertNotEquals(counts.firstKey(), reversed.firstKey());
    assertEquals(json, BpeLearner.learn(reversed, 700, null).toTokenizerJson());
  }

  @Test
  void theLibraryEncodesAsTheLearnedMergesDo() throws IOException {
    List<String> lines = sampleLines();
    List<String> training = new ArrayList<>();
    List<String> heldOut = new ArrayList<>(UNSEEN_LINES);
    for (int i = 0; i < lines.size(); i++) {
      (i % 5 == 0 ? heldOut : training).add(lines.get(i));
    }
    for (int copy = 0; copy < 20; copy++) {
      training.addAll(NON_ASCII_TRAINING_LINES);
    }
    BpeLearner.Learned learned = BpeLearner.learn(countPreTokens(training), 1000, null);
    assertEquals(1000, learned.vocab().size());
    assertEquals(744, learned.mergeCount());
    assertTrue(learned.vocab().contains("Ã¼"), "a merge inside the UTF-8 of 'ü'");
    assertTrue(heldOut.size() > 300, "held-out lines: " + heldOut.size());

    assertLibraryEncodesAsReference(learned, heldOut);
    assertLibraryEncodesAsReference(learned, List.of(String.join("", heldOut)));
  }

  /** Runs of one letter make left-to-right merging of overlapping pairs matter. */
  @Test
  void theLibraryAgreesOnRepetitiveTinyAlphabetText() throws IOException {
    Random random = new Random(11);
    for (int trial = 0; trial < 20; trial++) {
      List<String> lines = new ArrayList<>();
      for (int line = 0; line < 200; line++) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
          text.append("aab  ".charAt(random.nextInt(5)));
        }
        lines.add(text.toString());
      }
      BpeLearner.Learned learned = BpeLearner.learn(countPreTokens(lines.subList(0, 150)), 320, null);
      assertLibraryEncodesAsReference(learned, lines.subList(150, 200));
    }
  }

  /**
   * The classic learner without bookkeeping: recount every pair of every word before each merge.
   * Returns the merges as "left right" lines.
   */
  private static List<String> mergesByRecountingEveryStep(SortedMap<String, Long> counts, int merges) {
    List<String> vocab = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      vocab.add(String.valueOf(ByteLevel.byteChar(b)));
    }
    List<List<Integer>> words = new ArrayList<>();
    List<Long> wordCounts = new ArrayList<>();
    counts.forEach((word, count) -> {
      List<Integer> ids = new ArrayList<>();
      for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
        ids.add(b & 0xFF);
      }
      words.add(ids);
      wordCounts.add(count);
    });
    List<String> learned = new ArrayList<>();
    while (learned.size() < merges) {
      Map<List<Integer>, Long> pairCounts = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<Integer> ids = words.get(w);
        for (int i = 0; i + 1 < ids.size(); i++) {
          pairCounts.merge(List.of(ids.get(i), ids.get(i + 1)), wordCounts.get(w), Long::sum);
        }
      }
      if (pairCounts.isEmpty()) {
        break;
      }
      List<Integer> best = pairCounts.keySet().stream()
          .min(Comparator.<List<Integer>>comparingLong(pairCounts::get).reversed()
              .thenComparing(pair -> pair.get(0)).thenComparing(pair -> pair.get(1)))
          .orElseThrow();
      String merged = vocab.get(best.get(0)) + vocab.get(best.get(1));
      learned.add(vocab.get(best.get(0)) + " " + vocab.get(best.get(1)));
      int mergedId = vocab.indexOf(merged);
      if (mergedId < 0) {
        mergedId = vocab.size();
        vocab.add(merged);
      }
      for (List<Integer> ids : words) {
        for (int i = 0; i + 1 < ids.size(); i++) {
          if (ids.get(i).equals(best.get(0)) && ids.get(i + 1).equals(best.get(1))) {
            ids.set(i, mergedId);
            ids.remove(i + 1);
          }
        }
      }
    }
    return learned;
  }

  @Test
  void theMergesAreThoseOfRecountingEveryPairEachStep() throws IOException {
    List<String> lines = new ArrayList<>(sampleLines());
    lines.addAll(NON_ASCII_TRAINING_LINES);
    lines.addAll(UNSEEN_LINES);
    SortedMap<String, Long> counts = countPreTokens(lines);
    assertEquals(mergesByRecountingEveryStep(counts, 400),
        mergeLines(BpeLearner.learn(counts, 256 + 400, null)));

    Random random = new Random(5);
    for (int trial = 0; trial < 10; trial++) {
      SortedMap<String, Long> tiny = new TreeMap<>();
      for (int word = 0; word < 30; word++) {
        StringBuilder text = new StringBuilder();
        for (int i = 1 + random.nextInt(12); i > 0; i--) {
          text.append("aab".charAt(random.nextInt(3)));
        }
        tiny.merge(text.toString(), 1L + random.nextInt(4), Long::sum);
      }
      BpeLearner.Learned learned = BpeLearner.learn(tiny, 100_000, null);
      assertEquals(mergesByRecountingEveryStep(tiny, 100_000), mergeLines(learned));
    }
  }

  @Test
  void eightThousandMergesOverOneHundredFiftyThousandWordsTakeSeconds() {
    Random random = new Random(3);
    String consonants = "bcdfghklmnprstvwz";
    String vowels = "aeiouy";
    SortedMap<String, Long> counts = new TreeMap<>();
    while (counts.size() < 150_000) {
      StringBuilder word = new StringBuilder(random.nextInt(5) > 0 ? " " : "");
      for (int syllable = 1 + random.nextInt(4); syllable > 0; syllable--) {
        word.append(consonants.charAt(random.nextInt(consonants.length())))
            .append(vowels.charAt(random.nextInt(vowels.length())));
        if (random.nextBoolean()) {
          word.append(consonants.charAt(random.nextInt(consonants.length())));
        }
      }
      counts.putIfAbsent(word.toString(), 1 + 1_000_000L / (counts.size() + 1));
    }
    BpeLearner.Learned learned = assertTimeout(Duration.ofSeconds(30),
        () -> BpeLearner.learn(counts, 256 + 8000, null));
    assertEquals(8000, learned.mergeCount());
  }

  @Test
  void progressIsReportedEveryHundredMergesAndAtTheEnd() throws IOException {
    List<Integer> reported = new ArrayList<>();
    BpeLearner.Learned learned = BpeLearner.learn(countPreTokens(sampleLines()), 256 + 450, reported::add);
    assertEquals(450, learned.mergeCount());
    assertEquals(List.of(100, 200, 300, 400, 450), reported);

    List<Integer> exact = new ArrayList<>();
    BpeLearner.learn(countPreTokens(sampleLines()), 256 + 300, exact::add);
    assertEquals(List.of(100, 200, 300), exact);
  }

  @Test
  void aCorpusWithTooFewPairsStopsEarly() {
    List<Integer> reported = new ArrayList<>();
    BpeLearner.Learned learned =
        BpeLearner.learn(new TreeMap<>(Map.of(" ab", 3L, "x", 9L)), 5000, reported::add);
    assertEquals(List.of("Ġ a", "Ġa b"), mergeLines(learned));
    assertEquals(2, learned.mergeCount());
    assertEquals(258, learned.vocab().size());
    assertEquals(List.of(2), reported);

    BpeLearner.Learned nothing = BpeLearner.learn(new TreeMap<>(), 1000, reported::add);
    assertEquals(0, nothing.mergeCount());
    assertEquals(256, nothing.vocab().size());
    assertEquals(List.of(2, 0), reported);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> BpeLearner.learn(new TreeMap<>(Map.of("ab", 1L)), 255, null));
    assertThrows(IllegalArgumentException.class,
        () -> BpeLearner.learn(new TreeMap<>(Map.of("ab", 0L)), 300, null));
  }

  @Test
  void theTokenizerJsonHasTheByteLevelBpeLayout() throws Exception {
    BpeLearner.Learned learned =
        BpeLearner.learn(new TreeMap<>(Map.of(" lower", 2L, " newest", 6L)), 258, null);
    var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(learned.toTokenizerJson());
    assertEquals(List.of("version", "truncation", "padding", "added_tokens", "normalizer",
        "pre_tokenizer", "post_processor", "decoder", "model"), fieldNames(root));
    assertEquals("ByteLevel", root.get("pre_tokenizer").get("type").asText());
    assertEquals(false, root.get("pre_tokenizer").get("add_prefix_space").asBoolean());
    assertEquals("BPE", root.get("model").get("type").asText());
    var vocab = root.get("model").get("vocab");
    assertEquals(258, vocab.size());
    assertEquals(32, vocab.get("Ġ").asInt());
    // (w,e) counts 2 + 6; then (Ġ,n) has the smallest left id of the pairs counting 6.
    assertEquals(List.of("we", "Ġn"), fieldNames(vocab).subList(256, 258));
    assertEquals("[\"w e\",\"Ġ n\"]", root.get("model").get("merges").toString());
  }

  private static List<String> fieldNames(com.fasterxml.jackson.databind.JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
