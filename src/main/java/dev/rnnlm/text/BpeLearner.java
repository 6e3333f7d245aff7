package dev.rnnlm.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.IntConsumer;

/**
 * Learns a GPT-2-style byte-level BPE from pre-token counts, so that a corpus counted elsewhere
 * (for example across Spark partitions) becomes a Hugging Face {@code tokenizer.json}.
 *
 * <p>Each pre-token (as emitted by {@link ByteLevel#preTokenize}) starts as its UTF-8 bytes,
 * token ids 0..255 (id = byte value). Each step merges the adjacent pair with the highest total
 * count (sum over pre-tokens of count × occurrences), ties going to the smaller (left id, right
 * id); occurrences inside a pre-token are merged left to right without overlap, so in "a a a"
 * merging (a, a) gives "aa a". A merge's token is the concatenation of its parts; normally a new
 * id (256 + merge index), but if that string is already a token (reached by other parts) its
 * existing id is reused, as the Hugging Face trainer does. Learning stops when the vocabulary
 * has {@code vocabSize} tokens or no pair is left.
 *
 * <p>Pair counts are updated only where a merge changes a pre-token, and the best pair comes
 * from a heap whose stale entries are re-queued with their current count when they surface.
 */
public final class BpeLearner {
  private static final int PROGRESS_EVERY = 100;

  private final int[][] wordSymbols;
  private final int[] wordLength;
  private final long[] wordCount;
  private final int[] wordVisitedAtMerge;

  private final PairIndex pairIndex = new PairIndex();
  private int pairTotal;
  private int[] pairLeft = new int[1024];
  private int[] pairRight = new int[1024];
  private long[] pairCount = new long[1024];
  private int[][] pairWords = new int[1024][];
  private int[] pairWordTotal = new int[1024];
  private int[] pairLastWord = new int[1024];
  private int[] pairRaisedAtMerge = new int[1024];
  private int[] raisedPairs = new int[256];
  private int raisedPairTotal;

  private final PairHeap heap = new PairHeap();

  private final List<String> vocab = new ArrayList<>();
  private final Map<String, Integer> tokenIds = new HashMap<>();
  private final List<String[]> merges = new ArrayList<>();

  private BpeLearner(SortedMap<String, Long> wordCounts) {
    for (int b = 0; b < ByteLevel.ALPHABET_SIZE; b++) {
      addToken(String.valueOf(ByteLevel.byteChar(b)));
    }
    List<int[]> symbols = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
      if (e.getValue() == null || e.getValue() <= 0) {
        throw new IllegalArgumentException("count of '" + e.getKey() + "' must be > 0: " + e.getValue());
      }
      byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
      if (bytes.length < 2) {
        continue;
      }
      int[] ids = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        ids[i] = bytes[i] & 0xFF;
      }
      symbols.add(ids);
      counts.add(e.getValue());
    }
    int words = symbols.size();
    wordSymbols = symbols.toArray(new int[0][]);
    wordLength = new int[words];
    wordCount = new long[words];
    wordVisitedAtMerge = new int[words];
    Arrays.fill(wordVisitedAtMerge, -1);
    for (int w = 0; w < words; w++) {
      wordLength[w] = wordSymbols[w].length;
      wordCount[w] = counts.get(w);
      int[] s = wordSymbols[w];
      for (int i = 0; i + 1 < s.length; i++) {
        adjustPair(s[i], s[i + 1], wordCount[w], w, -1);
      }
    }
    for (int p = 0; p < pairTotal; p++) {
      heap.add(pairCount[p], p);
    }
    heap.heapify();
  }

  /**
   * Learns merges until the vocabulary (256 byte tokens plus merged tokens) has
   * {@code vocabSize} tokens, or fewer if the pre-tokens run out of pairs (then
   * {@code mergeCount() < vocabSize - 256}, for the caller to report).
   *
   * @param wordCounts raw pre-tokens (as {@link ByteLevel#preTokenize} emits them) to counts > 0
   * @param vocabSize wanted vocabulary size, at least 256
   * @param mergesDone told the number of merges learned so far, every 100 merges and once at
   *     the end with the final count (strictly increasing); may be null
   */
  public static Learned learn(SortedMap<String, Long> wordCounts, int vocabSize, IntConsumer mergesDone) {
    if (vocabSize < ByteLevel.ALPHABET_SIZE) {
      throw new IllegalArgumentException("vocabSize must be >= 256: " + vocabSize);
    }
    BpeLearner learner = new BpeLearner(wordCounts);
    learner.run(vocabSize, mergesDone == null ? done -> { } : mergesDone);
    return new Learned(learner.vocab, learner.merges);
  }

  private void run(int vocabSize, IntConsumer mergesDone) {
    int reported = -1;
    while (vocab.size() < vocabSize) {
      int best = popBestPair();
      if (best < 0) {
        break;
      }
      merge(best);
      if (merges.size() % PROGRESS_EVERY == 0) {
        reported = merges.size();
        mergesDone.accept(reported);
      }
    }
    if (reported != merges.size()) {
      mergesDone.accept(merges.size());
    }
  }

  /** The pair with the highest current count (ties: smaller ids), or -1 if none is left. */
  private int popBestPair() {
    while (heap.size() > 0) {
      long queued = heap.topCount();
      int p = heap.pop();
      long current = pairCount[p];
      if (current == queued && current > 0) {
        return p;
      }
      if (current > 0) {
        heap.push(current, p);
      }
    }
    return -1;
  }

  private void merge(int pair) {
    int mergeIndex = merges.size();
    int left = pairLeft[pair];
    int right = pairRight[pair];
    String leftToken = vocab.get(left);
    String rightToken = vocab.get(right);
    merges.add(new String[] {leftToken, rightToken});
    String merged = leftToken + rightToken;
    Integer existing = tokenIds.get(merged);
    int mergedId = existing != null ? existing : addToken(merged);

    raisedPairTotal = 0;
    int[] words = pairWords[pair];
    int wordTotal = pairWordTotal[pair];
    for (int k = 0; k < wordTotal; k++) {
      int w = words[k];
      if (wordVisitedAtMerge[w] != mergeIndex) {
        wordVisitedAtMerge[w] = mergeIndex;
        mergeInWord(w, left, right, mergedId, mergeIndex);
      }
    }
    pairCount[pair] = 0;
    pairWords[pair] = null;
    pairWordTotal[pair] = 0;
    for (int i = 0; i < raisedPairTotal; i++) {
      int p = raisedPairs[i];
      if (pairCount[p] > 0) {
        heap.push(pairCount[p], p);
      }
    }
  }

  /** Rewrites word {@code w} in place, adjusting the counts of the pairs around each merge. */
  private void mergeInWord(int w, int left, int right, int mergedId, int mergeIndex) {
    int[] s = wordSymbols[w];
    int n = wordLength[w];
    long count = wordCount[w];
    int read = 0;
    int write = 0;
    while (read < n) {
      if (read + 1 < n && s[read] == left && s[read + 1] == right) {
        if (write > 0) {
          adjustPair(s[write - 1], left, -count, w, mergeIndex);
          adjustPair(s[write - 1], mergedId, count, w, mergeIndex);
        }
        if (read + 2 < n) {
          adjustPair(right, s[read + 2], -count, w, mergeIndex);
          adjustPair(mergedId, s[read + 2], count, w, mergeIndex);
        }
        s[write++] = mergedId;
        read += 2;
      } else {
        s[write++] = s[read++];
      }
    }
    wordLength[w] = write;
  }

  /**
   * Adds {@code delta} to the count of pair (left, right); a rise records that word {@code w}
   * holds the pair and, during merge {@code mergeIndex} (not -1), queues the pair's new count.
   */
  private void adjustPair(int left, int right, long delta, int w, int mergeIndex) {
    int p = pairIndex.get(left, right);
    if (p < 0) {
      p = newPair(left, right);
    }
    pairCount[p] += delta;
    if (delta <= 0) {
      return;
    }
    if (pairLastWord[p] != w) {
      pairLastWord[p] = w;
      int[] words = pairWords[p];
      if (words == null) {
        words = pairWords[p] = new int[2];
      } else if (pairWordTotal[p] == words.length) {
        words = pairWords[p] = Arrays.copyOf(words, words.length * 2);
      }
      words[pairWordTotal[p]++] = w;
    }
    if (mergeIndex >= 0 && pairRaisedAtMerge[p] != mergeIndex) {
      pairRaisedAtMerge[p] = mergeIndex;
      if (raisedPairTotal == raisedPairs.length) {
        raisedPairs = Arrays.copyOf(raisedPairs, raisedPairs.length * 2);
      }
      raisedPairs[raisedPairTotal++] = p;
    }
  }

  private int newPair(int left, int right) {
    if (pairTotal == pairLeft.length) {
      int size = pairTotal * 2;
      pairLeft = Arrays.copyOf(pairLeft, size);
      pairRight = Arrays.copyOf(pairRight, size);
      pairCount = Arrays.copyOf(pairCount, size);
      pairWords = Arrays.copyOf(pairWords, size);
      pairWordTotal = Arrays.copyOf(pairWordTotal, size);
      pairLastWord = Arrays.copyOf(pairLastWord, size);
      pairRaisedAtMerge = Arrays.copyOf(pairRaisedAtMerge, size);
    }
    int p = pairTotal++;
    pairLeft[p] = left;
    pairRight[p] = right;
    pairLastWord[p] = -1;
    pairRaisedAtMerge[p] = -1;
    pairIndex.put(left, right, p);
    return p;
  }

  private int addToken(String token) {
    int id = vocab.size();
    vocab.add(token);
    tokenIds.put(token, id);
    return id;
  }

  /** Open-addressing map from a pair of non-negative ids to a pair number. */
  private static final class PairIndex {
    private long[] keys = emptyKeys(1 << 12);
    private int[] values = new int[1 << 12];
    private int size;

    private static long[] emptyKeys(int capacity) {
      long[] keys = new long[capacity];
      Arrays.fill(keys, -1L);
      return keys;
    }

    private static long key(int left, int right) {
      return ((long) left << 32) | right;
    }

    private static int slot(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) & mask;
    }

    int get(int left, int right) {
      long key = key(left, right);
      int mask = keys.length - 1;
      for (int i = slot(key, mask); ; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return values[i];
        }
        if (keys[i] == -1L) {
          return -1;
        }
      }
    }

    /** Adds a pair known to be absent. */
    void put(int left, int right, int value) {
      if (2 * (size + 1) > keys.length) {
        grow();
      }
      insert(key(left, right), value);
      size++;
    }

    private void insert(long key, int value) {
      int mask = keys.length - 1;
      int i = slot(key, mask);
      while (keys[i] != -1L) {
        i = (i + 1) & mask;
      }
      keys[i] = key;
      values[i] = value;
    }

    private void grow() {
      long[] oldKeys = keys;
      int[] oldValues = values;
      keys = emptyKeys(oldKeys.length * 2);
      values = new int[oldKeys.length * 2];
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != -1L) {
          insert(oldKeys[i], oldValues[i]);
        }
      }
    }
  }

  /**
   * Binary max-heap of (count, pair number) entries: higher count first, then smaller left id,
   * then smaller right id.
   */
  private final class PairHeap {
    private long[] counts = new long[1024];
    private int[] pairs = new int[1024];
    private int size;

    int size() {
      return size;
    }

    long topCount() {
      return counts[0];
    }

    /** Appends without restoring heap order; call {@link #heapify} after the last. */
    void add(long count, int pair) {
      if (size == counts.length) {
        counts = Arrays.copyOf(counts, size * 2);
        pairs = Arrays.copyOf(pairs, size * 2);
      }
      counts[size] = count;
      pairs[size] = pair;
      size++;
    }

    void heapify() {
      for (int i = size / 2 - 1; i >= 0; i--) {
        siftDown(i);
      }
    }

    void push(long count, int pair) {
      add(count, pair);
      siftUp(size - 1);
    }

    int pop() {
      int top = pairs[0];
      size--;
      counts[0] = counts[size];
      pairs[0] = pairs[size];
      if (size > 0) {
        siftDown(0);
      }
      return top;
    }

    private boolean before(int i, int j) {
      if (counts[i] != counts[j]) {
        return counts[i] > counts[j];
      }
      int a = pairs[i];
      int b = pairs[j];
      if (pairLeft[a] != pairLeft[b]) {
        return pairLeft[a] < pairLeft[b];
      }
      return pairRight[a] < pairRight[b];
    }

    private void swap(int i, int j) {
      long c = counts[i];
      counts[i] = counts[j];
      counts[j] = c;
      int p = pairs[i];
      pairs[i] = pairs[j];
      pairs[j] = p;
    }

    private void siftUp(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (!before(i, parent)) {
          return;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void siftDown(int i) {
      while (true) {
        int first = 2 * i + 1;
        if (first >= size) {
          return;
        }
        int second = first + 1;
        int child = second < size && before(second, first) ? second : first;
        if (!before(child, i)) {
          return;
        }
        swap(i, child);
        i = child;
      }
    }
  }

  /**
   * A learned byte-level BPE. Compare two by {@link #toTokenizerJson} (the merge arrays make the
   * record's own {@code equals} compare by identity).
   *
   * @param vocab tokens in id order, spelled in byte characters; ids 0..255 are the single
   *     bytes, the rest come from merges
   * @param merges {left, right} byte-character strings in the order learned (merge k has rank
   *     k); their concatenations are in {@code vocab}
   */
  public record Learned(List<String> vocab, List<String[]> merges) {
    public Learned {
      vocab = List.copyOf(vocab);
      List<String[]> copied = new ArrayList<>(merges.size());
      for (String[] merge : merges) {
        if (merge.length != 2) {
          throw new IllegalArgumentException("a merge has two parts: " + Arrays.toString(merge));
        }
        copied.add(merge.clone());
      }
      merges = List.copyOf(copied);
    }

    /** Number of merges learned; {@code vocab().size() - 256} unless a token was made twice. */
    public int mergeCount() {
      return merges.size();
    }

    /**
     * A Hugging Face {@code tokenizer.json} for this BPE: ByteLevel pre-tokenizer
     * ({@code add_prefix_space: false}, GPT-2 regex) and decoder, BPE model without unknown
     * token, no normalizer, post-processor or added tokens. Pretty-printed with 2-space
     * indentation and '\n' line ends; equal BPEs give identical text.
     */
    public String toTokenizerJson() {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode root = mapper.createObjectNode();
      root.put("version", "1.0");
      root.putNull("truncation");
      root.putNull("padding");
      root.putArray("added_tokens");
      root.putNull("normalizer");
      root.set("pre_tokenizer", byteLevelNode(mapper, false));
      root.putNull("post_processor");
      root.set("decoder", byteLevelNode(mapper, true));
      ObjectNode model = root.putObject("model");
      model.put("type", "BPE");
      model.putNull("dropout");
      model.putNull("unk_token");
      model.putNull("continuing_subword_prefix");
      model.putNull("end_of_word_suffix");
      model.put("fuse_unk", false);
      model.put("byte_fallback", false);
      model.put("ignore_merges", false);
      ObjectNode vocabNode = model.putObject("vocab");
      for (int id = 0; id < vocab.size(); id++) {
        vocabNode.put(vocab.get(id), id);
      }
      ArrayNode mergesNode = model.putArray("merges");
      for (String[] merge : merges) {
        mergesNode.add(merge[0] + " " + merge[1]);
      }
      DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
      DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
          .withObjectIndenter(indenter)
          .withArrayIndenter(indenter);
      try {
        return mapper.writer(printer).writeValueAsString(root) + "\n";
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static ObjectNode byteLevelNode(ObjectMapper mapper, boolean addPrefixSpace) {
      ObjectNode node = mapper.createObjectNode();
      node.put("type", "ByteLevel");
      node.put("add_prefix_space", addPrefixSpace);
      node.put("trim_offsets", true);
      node.put("use_regex", true);
      return node;
    }

    /**
     * Token ids of {@code text}, computed the slow, obvious way as a reference: pre-tokenize,
     * spell in bytes, then in each pre-token repeatedly merge the leftmost occurrence of the
     * lowest-ranked pair that has a merge.
     */
    public int[] encode(String text) {
      Map<String, Integer> ids = new HashMap<>(vocab.size() * 2);
      for (int id = 0; id < vocab.size(); id++) {
        ids.put(vocab.get(id), id);
      }
      Map<Long, int[]> rankAndIdOfPair = new HashMap<>(merges.size() * 2);
      for (int rank = 0; rank < merges.size(); rank++) {
        String[] m = merges.get(rank);
        long key = ((long) ids.get(m[0]) << 32) | ids.get(m[1]);
        rankAndIdOfPair.put(key, new int[] {rank, ids.get(m[0] + m[1])});
      }
      List<Integer> out = new ArrayList<>();
      ByteLevel.preTokenize(text, piece -> {
        List<Integer> symbols = new ArrayList<>();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
          symbols.add(b & 0xFF);
        }
        while (true) {
          int bestAt = -1;
          int[] best = null;
          for (int i = 0; i + 1 < symbols.size(); i++) {
            int[] rankAndId =
                rankAndIdOfPair.get(((long) symbols.get(i) << 32) | symbols.get(i + 1));
            if (rankAndId != null && (best == null || rankAndId[0] < best[0])) {
              best = rankAndId;
              bestAt = i;
            }
          }
          if (best == null) {
            break;
          }
          symbols.set(bestAt, best[1]);
          symbols.remove(bestAt + 1);
        }
        out.addAll(symbols);
      });
      return out.stream().mapToInt(Integer::intValue).toArray();
    }
  }
}
