package dev.rnnlm.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates token ids from a trained model, one sequence at a time: the prefix warms up the
 * state (as the book's {@code predict}), then each next token is the most likely one (greedy)
 * or drawn from the softmax at a temperature.
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
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix must hold at least one token");
    }
    float[] state = new float[model.stateSize()];
    float[] logits = new float[model.vocabSize()];
    List<Integer> out = new ArrayList<>(prefix);
    for (int i = 0; i < prefix.size() - 1; i++) {
      model.step(params, prefix.get(i), state, logits);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int last = prefix.get(prefix.size() - 1);
    for (int i = 0; i < length; i++) {
      model.step(params, last, state, logits);
      last = temperature > 0 ? sample(logits, temperature, random) : argmax(logits);
      out.add(last);
    }
    return out;
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
