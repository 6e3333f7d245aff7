package dev.rnnlm.train;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training options by name (as on the command line, without "--") to {@link TrainSettings} and
 * back. The one place that knows the names; a properties file and the model's record of its
 * training use the same keys.
 */
public final class TrainOptions {
  private TrainOptions() {}

  /** Builds settings from option values; missing options take their defaults. */
  public static TrainSettings fromMap(Map<String, String> o) {
    TrainSettings d = TrainSettings.DEFAULTS;
    return new TrainSettings(
        o.getOrDefault("input", d.input()),
        o.getOrDefault("model", d.modelDir()),
        intOption(o, "epochs", d.epochs()),
        intOption(o, "hidden", d.hidden()),
        intOption(o, "batch", d.batch()),
        intOption(o, "steps", d.steps()),
        floatOption(o, "lr", d.lr()),
        floatOption(o, "clip", d.clip()),
        o.containsKey("sampling") ? Sampling.parse(o.get("sampling")) : d.sampling(),
        o.containsKey("tokens") ? Tokenizer.parse(o.get("tokens")) : d.tokens(),
        o.containsKey("normalize") ? Normalizer.parse(o.get("normalize")) : d.normalize(),
        longOption(o, "min-freq", d.minFreq()),
        longOption(o, "max-tokens", d.maxTokens()),
        intOption(o, "partitions", d.partitions()),
        o.getOrDefault("master", d.master()),
        longOption(o, "seed", d.seed()),
        intOption(o, "sample-every", d.sampleEvery()),
        o.getOrDefault("sample-prefix", d.samplePrefix()),
        o.getOrDefault("val", d.val()),
        doubleOption(o, "val-fraction", d.valFraction()),
        intOption(o, "checkpoint-every", d.checkpointEvery()),
        intOption(o, "checkpoint-every-steps", d.checkpointEverySteps()),
        intOption(o, "keep-checkpoints", d.keepCheckpoints()),
        booleanOption(o, "resume", d.resume()),
        intOption(o, "max-vocab", d.maxVocab()));
  }

  /** The settings as option values, with the partition count actually used. */
  public static Map<String, String> toMap(TrainSettings s, int partitionsUsed) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("input", s.input());
    m.put("epochs", Integer.toString(s.epochs()));
    m.put("hidden", Integer.toString(s.hidden()));
    m.put("batch", Integer.toString(s.batch()));
    m.put("steps", Integer.toString(s.steps()));
    m.put("lr", Float.toString(s.lr()));
    m.put("clip", Float.toString(s.clip()));
    m.put("sampling", s.sampling().optionName());
    m.put("tokens", s.tokens().optionName());
    m.put("normalize", s.normalize().optionName());
    m.put("min-freq", Long.toString(s.minFreq()));
    m.put("max-tokens", Long.toString(s.maxTokens()));
    m.put("max-vocab", Integer.toString(s.maxVocab()));
    m.put("partitions", Integer.toString(partitionsUsed));
    m.put("seed", Long.toString(s.seed()));
    m.put("val", s.val());
    m.put("val-fraction", Double.toString(s.valFraction()));
    return m;
  }

  static int intOption(Map<String, String> o, String name, int fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  static long longOption(Map<String, String> o, String name, long fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  static boolean booleanOption(Map<String, String> o, String name, boolean fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException("--" + name + " must be true or false, got '" + v + "'");
    };
  }

  static double doubleOption(Map<String, String> o, String name, double fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

  static float floatOption(Map<String, String> o, String name, float fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Float.parseFloat(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }
}
