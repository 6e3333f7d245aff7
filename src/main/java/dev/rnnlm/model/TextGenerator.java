package dev.rnnlm.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Generates token ids from a trained model, one sequence at a time: the prefix warms up the
 * state (as the book's {@code predict}), then each next token is chosen as
 * {@link SamplingSettings} says: the most likely one (greedy), or drawn from the softmax at a
 * temperature, optionally restricted to the top-k tokens and then to the top-p nucleus.
 */
public final class TextGenerator {
  private final LanguageModel model;
  private final float[] params;

  public TextGenerator(LanguageModel model, float[] params) {
    this.model = model;
    this.params = params;
  }

  /**
   * Returns the prefix ids followed by {@code length} generated ids. {@code temperature <= 0}
   * means greedy; otherwise tokens are sampled with a generator seeded by {@code seed}.
   */
  public List<Integer> generate(List<Integer> prefix, int length, float temperature, long seed) {
    SamplingSettings settings = temperature > 0
        ? new SamplingSettings(temperature, 0, 1.0, seed) : SamplingSettings.GREEDY;
    return generate(prefix, length, settings, token -> false);
  }

  /** Returns the prefix ids followed by {@code length} ids chosen as {@code settings} says. */
  public List<Integer> generate(List<Integer> prefix, int length, SamplingSettings settings) {
    return generate(prefix, length, settings, token -> false);
  }

  /**
   * Returns the prefix ids followed by at most {@code length} ids chosen as {@code settings}
   * says. {@code stopAfter} is asked after each generated id (which is kept) whether to stop.
   */
  public List<Integer> generate(List<Integer> prefix, int length, SamplingSettings settings,
                                IntPredicate stopAfter) {
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix must hold at least one token");
    }
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0, got " + length);
    }
    float[] state = new float[model.stateSize()];
    float[] logits = new float[model.vocabSize()];
    List<Integer> out = new ArrayList<>(prefix.size() + length);
    out.addAll(prefix);
    for (int i = 0; i < prefix.size() - 1; i++) {
      model.step(params, prefix.get(i), state, logits);
    }
    Picker picker = new Picker(settings, model.vocabSize());
    int last = prefix.get(prefix.size() - 1);
    for (int i = 0; i < length; i++) {
      model.step(params, last, state, logits);
      last = picker.next(logits);
      out.add(last);
      if (stopAfter.test(last)) {
        break;
      }
    }
    return out;
  }

  /** Chooses next tokens from logits; its buffers are allocated once per sequence. */
  private static final class Picker {
    private final SamplingSettings settings;
    private final SplittableRandom random;
    /** Top-k or top-p actually remove tokens; otherwise plain softmax sampling. */
    private final boolean truncates;
    /** How many of the most likely tokens top-k keeps (the vocabulary size without top-k). */
    private final int keep;
    /** Token ids, most likely first; only the first {@code keep} are ranked. */
    private final int[] order;
    /** Unnormalized probabilities of {@code order}'s tokens. */
    private final double[] weights;

    Picker(SamplingSettings settings, int vocabSize) {
      this.settings = settings;
      boolean greedy = settings.greedy();
      this.random = greedy ? null : new SplittableRandom(settings.seed());
      this.keep = settings.topK() > 0 ? Math.min(settings.topK(), vocabSize) : vocabSize;
      this.truncates = !greedy && (keep < vocabSize || settings.topP() < 1);
      this.order = truncates ? new int[vocabSize] : null;
      this.weights = truncates ? new double[vocabSize] : null;
    }

    int next(float[] logits) {
      if (random == null) {
        return argmax(logits);
      }
      if (!truncates) {
        return sample(logits, settings.temperature(), random);
      }
      return sampleTruncated(logits);
    }

    /**
     * Ranks the top-k tokens by logit (the same order as by probability at any temperature),
     * keeps the top-p nucleus of their renormalized distribution, and draws from it.
     */
    private int sampleTruncated(float[] logits) {
      int m = rankBest(logits, order, keep);
      double max = logits[order[0]];
      double temperature = settings.temperature();
      double total = 0;
      for (int i = 0; i < m; i++) {
        double w = Math.exp((logits[order[i]] - max) / temperature);
        weights[i] = w;
        total += w;
      }
      int n = m;
      double kept = total;
      if (settings.topP() < 1) {
        // Smallest n with cumulative mass >= p * total; summed in the same order as total,
        // so p = 1 would keep all m.
        double target = settings.topP() * total;
        kept = 0;
        n = 0;
        while (n < m) {
          kept += weights[n++];
          if (kept >= target) {
            break;
          }
        }
      }
      double u = random.nextDouble() * kept;
      double cumulative = 0;
      for (int i = 0; i < n; i++) {
        cumulative += weights[i];
        if (u < cumulative) {
          return order[i];
        }
      }
      return order[n - 1];
    }
  }

  /**
   * Puts the {@code m} best token ids into {@code order[0..m)}, best first, where "better"
   * means a higher logit, or an equal logit and a lower id. A heap of the m best seen so far
   * (worst at the root), then heapsort: O(V log m), no allocation. Returns {@code m}.
   */
  static int rankBest(float[] logits, int[] order, int m) {
    for (int id = 0; id < m; id++) {
      order[id] = id;
    }
    for (int i = m / 2 - 1; i >= 0; i--) {
      siftDown(logits, order, i, m);
    }
    for (int id = m; id < logits.length; id++) {
      if (better(logits, id, order[0])) {
        order[0] = id;
        siftDown(logits, order, 0, m);
      }
    }
    for (int end = m - 1; end > 0; end--) {
      int worst = order[0];
      order[0] = order[end];
      order[end] = worst;
      siftDown(logits, order, 0, end);
    }
    return m;
  }

  private static boolean better(float[] logits, int a, int b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  }

  /** Restores the heap property below {@code i}: no node is better than its children. */
  private static void siftDown(float[] logits, int[] heap, int i, int size) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        return;
      }
      if (child + 1 < size && better(logits, heap[child], heap[child + 1])) {
        child++;
      }
      if (!better(logits, heap[i], heap[child])) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[child];
      heap[child] = t;
      i = child;
    }
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) {
      if (v[j] > v[best]) {
        best = j;
      }
    }
    return best;
  }

  static int sample(float[] logits, float temperature, SplittableRandom random) {
    Softmax.probabilities(logits, temperature);
    double u = random.nextDouble();
    double cumulative = 0;
    for (int j = 0; j < logits.length; j++) {
      cumulative += logits[j];
      if (u < cumulative) {
        return j;
      }
    }
    return logits.length - 1;
  }
}
