package dev.rnnlm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VocabularyTest {

  private static Map<String, Long> counts(Object... tokenCountPairs) {
    Map<String, Long> m = new HashMap<>();
    for (int i = 0; i < tokenCountPairs.length; i += 2) {
      m.put((String) tokenCountPairs[i], ((Number) tokenCountPairs[i + 1]).longValue());
    }
    return m;
  }

  @Test
  void unknownIsIdZero() {
    Vocabulary v = Vocabulary.fromCounts(counts("a", 3, "b", 1), 1);
    assertEquals(0, Vocabulary.UNKNOWN_ID);
    assertEquals("<unk>", Vocabulary.UNKNOWN);
    assertEquals("<unk>", v.token(0));
    assertEquals(0, v.id("<unk>"));
    assertEquals(3, v.size());
  }

  @Test
  void orderIsFrequencyDescendingThenToken() {
    Vocabulary v = Vocabulary.fromCounts(
        counts("b", 3, "a", 3, "c", 5, "d", 1, "B", 3, " ", 5, "aa", 3), 1);
    // ties broken by String.compareTo: " " < "B" < "a" < "aa" < "b"
    assertEquals(List.of("<unk>", " ", "c", "B", "a", "aa", "b", "d"), v.tokens());
    for (int i = 0; i < v.size(); i++) {
      assertEquals(i, v.id(v.token(i)));
    }
  }

  @Test
  void idsDoNotDependOnMapIterationOrder() {
    Map<String, Long> hash = new HashMap<>();
    Random r = new Random(1);
    for (int i = 0; i < 300; i++) {
      hash.put("t" + i, (long) r.nextInt(6)); // many ties
    }
    Vocabulary fromHash = Vocabulary.fromCounts(hash, 1);

    List<String> keys = new ArrayList<>(new TreeMap<>(hash).keySet());
    Collections.reverse(keys);
    Map<String, Long> reversed = new LinkedHashMap<>();
    keys.forEach(k -> reversed.put(k, hash.get(k)));
    assertEquals(fromHash.tokens(), Vocabulary.fromCounts(reversed, 1).tokens());

    Collections.shuffle(keys, new Random(2));
    Map<String, Long> shuffled = new LinkedHashMap<>();
    keys.forEach(k -> shuffled.put(k, hash.get(k)));
    assertEquals(fromHash.tokens(), Vocabulary.fromCounts(shuffled, 1).tokens());

    // and the order really is (count desc, token asc)
    List<String> tokens = fromHash.tokens();
    for (int i = 2; i < tokens.size(); i++) {
      long prev = hash.get(tokens.get(i - 1));
      long cur = hash.get(tokens.get(i));
      assertTrue(prev > cur || (prev == cur && tokens.get(i - 1).compareTo(tokens.get(i)) < 0),
          tokens.get(i - 1) + " before " + tokens.get(i));
    }
  }

  @Test
  void minFreqDropsRareTokensWhichMapToUnknown() {
    Vocabulary v = Vocabulary.fromCounts(counts("x", 5, "y", 2, "z", 1, "w", 1), 2);
    assertEquals(List.of("<unk>", "x", "y"), v.tokens(), "count == minFreq is kept");
    assertEquals(0, v.id("z"));
    assertEquals(0, v.id("w"));
    assertEquals(1, v.id("x"));
    assertEquals(2, v.id("y"));

    Vocabulary all = Vocabulary.fromCounts(counts("x", 5, "y", 2, "z", 1), 1);
    assertEquals(4, all.size());
    assertEquals(3, all.id("z"));
  }

  @Test
  void literalUnknownInCountsDoesNotDuplicateIdZero() {
    Vocabulary v = Vocabulary.fromCounts(counts("<unk>", 100, "a", 3, "b", 2), 1);
    assertEquals(List.of("<unk>", "a", "b"), v.tokens());
    assertEquals(0, v.id("<unk>"));
  }

  @Test
  void ofTokensRoundTrips() {
    Vocabulary v = Vocabulary.fromCounts(counts("q", 4, "\n", 9, "\ud83d\ude00", 4, "e", 7), 1);
    Vocabulary copy = Vocabulary.ofTokens(v.tokens());
    assertEquals(v.tokens(), copy.tokens());
    for (int i = 0; i < v.size(); i++) {
      assertEquals(i, copy.id(v.token(i)));
      assertEquals(v.token(i), copy.token(i));
    }
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.ofTokens(List.of("a", "<unk>")));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.ofTokens(List.of()));
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> Vocabulary.ofTokens(List.of("<unk>", "a", "a")));
    assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
  }

  @Test
  void unknownTokenMapsToZero() {
    Vocabulary v = Vocabulary.fromCounts(counts("a", 1), 1);
    assertEquals(0, v.id("never seen"));
    assertEquals(0, v.id(""));
    assertEquals(1, v.id("a"));
  }

  @Test
  void tokensListIsUnmodifiable() {
    Vocabulary v = Vocabulary.fromCounts(counts("a", 1), 1);
    assertThrows(UnsupportedOperationException.class, () -> v.tokens().add("b"));
  }
}
