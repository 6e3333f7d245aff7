package dev.rnnlm.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token ids. Id 0 is {@code <unk>}; then tokens by frequency descending, ties broken by the
 * token's natural string order, so the same counts always give the same ids.
 */
public final class Vocabulary implements Serializable {
  public static final String UNKNOWN = "<unk>";
  public static final int UNKNOWN_ID = 0;

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private Vocabulary(List<String> tokens) {
    this.tokens = List.copyOf(tokens);
    this.ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      if (ids.put(tokens.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate token in vocabulary: '" + tokens.get(i) + "'");
      }
    }
  }

  /** Tokens in id order; the first must be {@code <unk>}. */
  public static Vocabulary ofTokens(List<String> tokensInIdOrder) {
    if (tokensInIdOrder.isEmpty() || !UNKNOWN.equals(tokensInIdOrder.get(0))) {
      throw new IllegalArgumentException("vocabulary must start with " + UNKNOWN);
    }
    return new Vocabulary(tokensInIdOrder);
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
    return new Vocabulary(tokens);
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
