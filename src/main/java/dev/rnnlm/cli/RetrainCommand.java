package dev.rnnlm.cli;

import dev.rnnlm.train.OptionValues;

import dev.rnnlm.data.InputFiles;
import dev.rnnlm.io.DirectoryLock;
import dev.rnnlm.io.Registry;
import dev.rnnlm.train.Retrainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code rnnlm retrain}: one scheduled retraining against a registry. Exit status: 0 promoted,
 * {@link #NOT_PROMOTED} when the current model was kept, {@link Main#LOCKED} when another run
 * holds the registry, 1 and 2 as for every command.
 */
final class RetrainCommand {
  static final int NOT_PROMOTED = 4;

  static final List<Option> OPTIONS;

  static {
    List<Option> options = new ArrayList<>();
    options.add(Option.value("registry", "DIR", "model registry (created on first use) (required)"));
    options.add(Option.value("tolerance", "T", "promote when new validation perplexity <= current x (1 + T) [0.02]"));
    options.add(Option.value("keep-versions", "K", "keep the K newest versions (and always the current one) [5]"));
    for (Option o : TrainCommand.OPTIONS) {
      if (List.of("model", "resume", "overwrite", "config").contains(o.name())) {
        continue;
      }
      options.add(switch (o.name()) {
        case "epochs" -> o.withShownDefault(Retrainer.DEFAULT_EPOCHS);
        case "val-fraction" -> o.withShownDefault(Retrainer.DEFAULT_VAL_FRACTION + " without --val");
        default -> o;
      });
    }
    OPTIONS = List.copyOf(options);
  }

  private RetrainCommand() {}

  static int run(String[] args, PrintStream out, JavaSparkContext existing) throws Exception {
    OptionParsing.Parsed parsed = OptionParsing.parse("retrain",
        "warm-start from a registry's current model, train, promote if not worse", OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    Map<String, String> values = new LinkedHashMap<>(parsed.values());
    String registryDir = OptionParsing.require(values, "registry", "retrain");
    OptionParsing.require(values, "input", "retrain");
    double tolerance = OptionValues.doubleValue(values, "tolerance", 0.02);
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException("--tolerance must be >= 0, got " + values.get("tolerance"));
    }
    int keep = OptionValues.intValue(values, "keep-versions", 5);
    if (keep < 1) {
      throw new IllegalArgumentException("--keep-versions must be >= 1, got " + keep);
    }
    values.remove("registry");
    values.remove("tolerance");
    values.remove("keep-versions");
    values.putIfAbsent("epochs", Retrainer.DEFAULT_EPOCHS);
    String master = values.getOrDefault("master", "local[*]");
    Configuration hadoop = SparkSession.hadoopConfiguration("retrain", master, existing);
    InputFiles.expand(values.get("input"), hadoop);
    Registry registry = new Registry(hadoop, registryDir);
    try (DirectoryLock lock = registry.lock(out);
         RunLog log = RunLog.start(hadoop, registryDir, "retrain")) {
      Retrainer.Result r;
      try (SparkSession spark = SparkSession.open("retrain", master, existing)) {
        r = new Retrainer(spark.context(), out).run(registry, values, tolerance, keep);
      } catch (Throwable t) {
        throw log.failed(t);
      }
      String was = r.currentPerplexity() == null ? "none"
          : String.format("%.4f (%s)", r.currentPerplexity(), r.current());
      if (r.promoted()) {
        out.printf("promoted %s: validation perplexity %.4f, current was %s%n", r.version(),
            r.newPerplexity(), was);
        return Main.OK;
      }
      out.printf("not promoted: %s validation perplexity %.4f > %s x (1 + %s); %s stays current%n",
          r.version(), r.newPerplexity(), was, tolerance, r.current());
      return NOT_PROMOTED;
    }
  }
}
