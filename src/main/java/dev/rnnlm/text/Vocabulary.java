package dev.rnnlm.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token ids. A vocabulary counted from the text has {@code <unk>} as id 0, then tokens by
 * frequency descending, ties broken by the token's natural string order, so the same counts
 * always give the same ids. A subword tokenizer's vocabulary ({@link #ofTokenizer}) has the
 * tokenizer's ids and no unknown token.
 */
public final class Vocabulary implements Serializable {
  public static final String UNKNOWN = "<unk>";
  public static final int UNKNOWN_ID = 0;

  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final boolean hasUnknown;

  private Vocabulary(List<String> tokens, boolean hasUnknown) {
    this.tokens = List.copyOf(tokens);
    this.hasUnknown = hasUnknown;
    this.ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      if (ids.put(tokens.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate token in vocabulary: '" + tokens.get(i) + "'");
      }
    }
  }

  /** A subword tokenizer's tokens in its id order; no {@code <unk>} at id 0. */
  public static Vocabulary ofTokenizer(List<String> tokensInIdOrder) {
    return new Vocabulary(tokensInIdOrder, false);
  }

  /** Whether id 0 is {@code <unk>}, standing for every token the vocabulary lacks. */
  public boolean hasUnknown() {
    return hasUnknown;
  }

  /** Tokens in id order; the first must be {@code <unk>}. */
  public static Vocabulary ofTokens(List<String> tokensInIdOrder) {
    if (tokensInIdOrder.isEmpty() || !UNKNOWN.equals(tokensInIdOrder.get(0))) {
      throw new IllegalArgumentException("vocabulary must start with " + UNKNOWN);
    }
    return new Vocabulary(tokensInIdOrder, true);
  }

  /**
   * Builds the vocabulary from token counts. Tokens counted fewer than {@code minFreq} times
   * are left out (they map to {@code <unk>}); a literal "&lt;unk&gt;" in the text is the unknown token.
   */
  public static Vocabulary fromCounts(Map<String, Long> counts, long minFreq) {
    List<Map.Entry<String, Long>> kept = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getValue() >= minFreq && !UNKNOWN.equals(e.getKey())) {
        kept.add(e);
      }
    }
    kept.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
        .thenComparing(Map.Entry::getKey));
    List<String> tokens = new ArrayList<>(kept.size() + 1);
    tokens.add(UNKNOWN);
    kept.forEach(e -> tokens.add(e.getKey()));
    return new Vocabulary(tokens, true);
  }

  public int size() {
    return tokens.size();
  }

  /** The token's id, or {@link #UNKNOWN_ID} when it is not in the vocabulary. */
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? UNKNOWN_ID : id;
  }

  public String token(int id) {
    return tokens.get(id);
  }

  /** Tokens in id order (unmodifiable). */
  public List<String> tokens() {
    return Collections.unmodifiableList(tokens);
  }
}
