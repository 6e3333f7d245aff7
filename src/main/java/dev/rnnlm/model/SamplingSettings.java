package dev.rnnlm.model;

import dev.rnnlm.values.InvalidValueException;
import java.io.Serializable;

/**
 * How {@link TextGenerator} chooses each next token.
 *
 * <p>Temperature 0 is greedy decoding: the most likely token (the lowest id among equal
 * logits), no randomness; top-k, top-p and the seed play no part. Otherwise the logits are
 * divided by the temperature, top-k keeps the {@code topK} most likely tokens, top-p then keeps
 * the smallest set of the most likely remaining tokens whose (renormalized) probability sums to
 * at least {@code topP}, and the token is drawn from what is left, renormalized, with a
 * generator seeded by {@code seed}. Ranking is by probability, ties broken by the lower id, so
 * the kept set is always the same for the same logits.
 *
 * <p>The constructor rejects values that cannot work, naming the command-line option and the
 * value. {@link #fromOptions} builds the settings from the options as given.
 *
 * @param temperature the logits are divided by this before the softmax; 0 = greedy
 * @param topK sample only among the K most likely tokens; 0 = no limit
 * @param topP sample only among the smallest set of most likely tokens with probability >= P; 1 = no limit
 * @param seed seed of the sampling generator (unused when greedy)
 */
public record SamplingSettings(float temperature, int topK, double topP, long seed)
    implements Serializable {

  /** Greedy decoding: always the most likely token. */
  public static final SamplingSettings GREEDY = new SamplingSettings(0f, 0, 1.0, 0);

  /** The temperature used when --top-k or --top-p is given without --temperature. */
  public static final float DEFAULT_SAMPLING_TEMPERATURE = 1.0f;

  public SamplingSettings {
    if (!(temperature >= 0) || !Float.isFinite(temperature)) {
      throw new InvalidValueException("{temperature} must be > 0, got " + show(temperature));
    }
    if (topK < 0) {
      throw new InvalidValueException("{topK} must be >= 1, got " + topK);
    }
    checkTopP(topP);
  }

  /**
   * Settings from command-line values, each {@code null} when the option was not given.
   * Without any of the three, decoding is greedy. With {@code topK} or {@code topP} but no
   * {@code temperature}, sampling is at {@link #DEFAULT_SAMPLING_TEMPERATURE}. A {@code topK}
   * above the largest {@code int} is no limit in practice and is clamped.
   */
  public static SamplingSettings fromOptions(Float temperature, Long topK, Double topP, long seed) {
    if (temperature != null && !(temperature > 0 && Float.isFinite(temperature))) {
      throw new InvalidValueException("{temperature} must be > 0, got " + show(temperature));
    }
    if (topK != null && topK < 1) {
      throw new InvalidValueException("{topK} must be >= 1, got " + topK);
    }
    if (topP != null) {
      checkTopP(topP);
    }
    float t = temperature != null ? temperature
        : topK != null || topP != null ? DEFAULT_SAMPLING_TEMPERATURE : 0f;
    return new SamplingSettings(t, topK == null ? 0 : (int) Math.min(topK, Integer.MAX_VALUE),
        topP == null ? 1.0 : topP, seed);
  }

  /** Whether this is greedy decoding (temperature 0). */
  public boolean greedy() {
    return temperature == 0f;
  }

  /**
   * The settings of sample {@code index} of several independent samples: the same except the
   * seed, {@link #sampleSeed}. Sample 0 keeps the seed, so it equals a single sample.
   */
  public SamplingSettings forSample(int index) {
    return new SamplingSettings(temperature, topK, topP, sampleSeed(seed, index));
  }

  /**
   * The seed of sample {@code index} drawn with {@code seed}: {@code seed} itself for sample 0,
   * otherwise a SplitMix64 mix of the seed and the index.
   */
  public static long sampleSeed(long seed, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("sample index must be >= 0, got " + index);
    }
    if (index == 0) {
      return seed;
    }
    long z = seed + index * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void checkTopP(double topP) {
    if (!(topP > 0 && topP <= 1)) {
      throw new InvalidValueException("{topP} must be in (0, 1], got " + show(topP));
    }
  }

  /** A number as a user would type it: "2" rather than "2.0". */
  private static String show(double v) {
    if (Double.isFinite(v) && v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static String show(float v) {
    return Float.isFinite(v) && v == Math.rint(v) ? show((double) v) : Float.toString(v);
  }
}
