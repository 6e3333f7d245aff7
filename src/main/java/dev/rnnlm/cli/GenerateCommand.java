package dev.rnnlm.cli;

import dev.rnnlm.train.OptionValues;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.SamplingSettings;
import dev.rnnlm.model.TextContinuation;
import dev.rnnlm.values.InvalidValueException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code rnnlm generate}: continue a prefix with a trained model (no Spark job needed). */
final class GenerateCommand {
  /** The line printed between samples when --num-samples is above 1. */
  static final String SAMPLE_SEPARATOR = "---";

  /** Samples generated together: rows of each batched step (bounds the logits held). */
  static final int SAMPLE_GROUP = 64;

  /** The options that are {@link SamplingSettings}' values, by the names its messages give them. */
  private static final Map<String, String> SAMPLING_OPTIONS = Map.of(
      "temperature", "--temperature", "topK", "--top-k", "topP", "--top-p");

  static final List<Option> OPTIONS = List.of(
      Option.value("model", "DIR", "model directory (required)"),
      Option.value("prefix", "TEXT", "text to continue; it warms up the state (required)"),
      Option.value("length", "N", "tokens to generate, at most [100]"),
      Option.value("temperature", "T", "sample at this temperature; without it (and without --top-k, --top-p), greedy (most likely token)"),
      Option.value("top-k", "K", "sample only among the K most likely tokens (at temperature 1 unless --temperature)"),
      Option.value("top-p", "P", "sample only among the smallest set of most likely tokens whose probability sums to >= P, in (0, 1] (after --top-k; at temperature 1 unless --temperature)"),
      Option.value("num-samples", "N", "independent samples from the prefix, separated by a line " + SAMPLE_SEPARATOR + "; needs sampling when above 1 [1]"),
      Option.value("stop-at", "STRING", "end each sample right after the first STRING in the generated text"),
      Option.value("seed", "S", "seed for sampling; sample 0 uses it as is, sample i a seed mixed from it and i [0]"));

  private GenerateCommand() {}

  static int run(String[] args, PrintStream out) throws IOException {
    OptionParsing.Parsed parsed = OptionParsing.parse("generate", "generate text from a model",
        OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    Map<String, String> v = parsed.values();
    String dir = OptionParsing.require(v, "model", "generate");
    String prefix = OptionParsing.require(v, "prefix", "generate");
    int length = OptionValues.intValue(v, "length", 100);
    if (length < 0) {
      throw new IllegalArgumentException("--length must be >= 0, got " + length);
    }
    SamplingSettings sampling;
    try {
      sampling = SamplingSettings.fromOptions(
          v.containsKey("temperature") ? OptionValues.floatValue(v, "temperature", 0f) : null,
          v.containsKey("top-k") ? OptionValues.longValue(v, "top-k", 0) : null,
          v.containsKey("top-p") ? parseDouble(v, "top-p") : null,
          OptionValues.longValue(v, "seed", 0));
    } catch (InvalidValueException e) {
      throw new IllegalArgumentException(e.message(SAMPLING_OPTIONS::get), e);
    }
    long numSamples = OptionValues.longValue(v, "num-samples", 1);
    if (numSamples < 1) {
      throw new IllegalArgumentException("--num-samples must be >= 1, got " + numSamples);
    }
    if (numSamples > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--num-samples must be at most " + Integer.MAX_VALUE
          + ", got " + numSamples);
    }
    if (numSamples > 1 && sampling.greedy()) {
      throw new IllegalArgumentException("--num-samples above 1 needs sampling (--temperature, "
          + "--top-k or --top-p): greedy samples are all the same, got " + numSamples);
    }
    String stopAt = v.get("stop-at");
    if (stopAt != null && stopAt.isEmpty()) {
      throw new IllegalArgumentException("--stop-at must not be empty");
    }

    SavedModel saved = new ModelStore(SparkSession.hadoopConfiguration()).load(dir);
    TextContinuation continuation = new TextContinuation(saved.model(), saved.params(),
        saved.text(), saved.vocabulary());
    List<Integer> prefixIds = continuation.prefixIds(prefix);
    if (prefixIds.isEmpty()) {
      throw new IllegalArgumentException("--prefix has no tokens after normalization: '" + prefix + "'");
    }
    // Samples are generated SAMPLE_GROUP at a time, in batched steps, and printed in order.
    for (long first = 0; first < numSamples; first += SAMPLE_GROUP) {
      List<SamplingSettings> group = new ArrayList<>();
      for (long i = first; i < Math.min(numSamples, first + SAMPLE_GROUP); i++) {
        group.add(sampling.forSample((int) i));
      }
      List<String> texts = continuation.continueTexts(prefixIds, length, group, stopAt);
      for (int k = 0; k < texts.size(); k++) {
        if (first + k > 0) {
          out.println(SAMPLE_SEPARATOR);
        }
        out.println(texts.get(k));
      }
    }
    return Main.OK;
  }

  private static double parseDouble(Map<String, String> values, String name) {
    String v = values.get(name);
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }
}
