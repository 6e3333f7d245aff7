package dev.rnnlm.cli;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.TextGenerator;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** {@code rnnlm generate}: continue a prefix with a trained model (no Spark job needed). */
final class GenerateCommand {
  static final List<Option> OPTIONS = List.of(
      Option.value("model", "DIR", "model directory (required)"),
      Option.value("prefix", "TEXT", "text to continue; it warms up the state (required)"),
      Option.value("length", "N", "tokens to generate [100]"),
      Option.value("temperature", "T", "sample at this temperature; without it, greedy (most likely token)"),
      Option.value("seed", "S", "seed for sampling [0]"));

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
    int length = Numbers.parseInt(v, "length", 100);
    if (length < 0) {
      throw new IllegalArgumentException("--length must be >= 0, got " + length);
    }
    float temperature = 0f;
    if (v.containsKey("temperature")) {
      temperature = Numbers.parseFloat(v, "temperature", 0f);
      if (!(temperature > 0) || !Float.isFinite(temperature)) {
        throw new IllegalArgumentException("--temperature must be > 0, got " + v.get("temperature"));
      }
    }
    long seed = Numbers.parseLong(v, "seed", 0);

    SavedModel saved = new ModelStore(new Configuration()).load(dir);
    Vocabulary vocab = saved.vocabulary();
    List<Integer> prefixIds = saved.pipeline().tokenizeText(prefix).stream().map(vocab::id).toList();
    if (prefixIds.isEmpty()) {
      throw new IllegalArgumentException("--prefix has no tokens after normalization: '" + prefix + "'");
    }
    List<Integer> ids = new TextGenerator(saved.model(), saved.params())
        .generate(prefixIds, length, temperature, seed);
    out.println(saved.tokens().join(ids.stream().map(vocab::token).toList()));
    return Main.OK;
  }
}
