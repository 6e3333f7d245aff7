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
        OptionValues.intValue(o, "epochs", d.epochs()),
        OptionValues.intValue(o, "hidden", d.hidden()),
        OptionValues.intValue(o, "batch", d.batch()),
        OptionValues.intValue(o, "steps", d.steps()),
        OptionValues.floatValue(o, "lr", d.lr()),
        OptionValues.floatValue(o, "clip", d.clip()),
        o.containsKey("sampling") ? Sampling.parse(o.get("sampling")) : d.sampling(),
        o.containsKey("tokens") ? Tokenizer.parse(o.get("tokens")) : d.tokens(),
        o.containsKey("normalize") ? Normalizer.parse(o.get("normalize")) : d.normalize(),
        OptionValues.longValue(o, "min-freq", d.minFreq()),
        OptionValues.longValue(o, "max-tokens", d.maxTokens()),
        OptionValues.intValue(o, "partitions", d.partitions()),
        o.getOrDefault("master", d.master()),
        OptionValues.longValue(o, "seed", d.seed()),
        OptionValues.intValue(o, "sample-every", d.sampleEvery()),
        o.getOrDefault("sample-prefix", d.samplePrefix()),
        o.getOrDefault("val", d.val()),
        OptionValues.doubleValue(o, "val-fraction", d.valFraction()),
        OptionValues.intValue(o, "checkpoint-every", d.checkpointEvery()),
        OptionValues.intValue(o, "checkpoint-every-steps", d.checkpointEverySteps()),
        OptionValues.intValue(o, "keep-checkpoints", d.keepCheckpoints()),
        OptionValues.booleanValue(o, "resume", d.resume()),
        OptionValues.intValue(o, "max-vocab", d.maxVocab()),
        OptionValues.booleanValue(o, "skip-memory-check", d.skipMemoryCheck()),
        OptionValues.booleanValue(o, "verbose", d.verbose()),
        OptionValues.booleanValue(o, "allow-mixed-kernels", d.allowMixedKernels()));
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
}
