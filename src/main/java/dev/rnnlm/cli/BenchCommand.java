package dev.rnnlm.cli;

import dev.rnnlm.train.OptionValues;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.train.Benchmark;
import dev.rnnlm.train.TrainOptions;
import dev.rnnlm.train.TrainSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/** {@code rnnlm bench}: training throughput and where the time of a step goes, as one JSON object. */
final class BenchCommand {
  static final List<Option> OPTIONS;

  static {
    List<Option> options = new ArrayList<>();
    for (Option o : TrainCommand.OPTIONS) {
      if (!o.name().equals("model") && !o.name().equals("sample-every") && !o.name().equals("sample-prefix")
          && !o.name().equals("epochs")) {
        options.add(o);
      }
    }
    options.add(Option.value("warmup-steps", "N",
        "untimed steps first [until the JIT has settled: at least 150, at most 5000]"));
    options.add(Option.value("measure-steps", "N", "timed steps [30]"));
    OPTIONS = List.copyOf(options);
  }

  private BenchCommand() {}

  static int run(String[] args, PrintStream out, JavaSparkContext existing) throws Exception {
    OptionParsing.Parsed parsed = OptionParsing.parse("bench",
        "measure training speed: tokens/s, step time, Spark overhead, GFLOP/s", OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    Map<String, String> values = OptionParsing.withConfigFile(parsed, OPTIONS);
    OptionParsing.require(values, "input", "bench");
    int warmup = OptionValues.intValue(values, "warmup-steps", Benchmark.AUTO_WARMUP);
    int measure = OptionValues.intValue(values, "measure-steps", 30);
    if (warmup < 0 && values.containsKey("warmup-steps")) {
      throw new IllegalArgumentException("--warmup-steps must be >= 0, got " + warmup);
    }
    if (measure < 1) {
      throw new IllegalArgumentException("--measure-steps must be > 0, got " + measure);
    }
    values.remove("warmup-steps");
    values.remove("measure-steps");
    values.put("epochs", "1");
    TrainSettings settings = TrainOptions.fromMap(values);
    try (SparkSession spark = SparkSession.open("bench", settings.master(), existing)) {
      Map<String, Object> report = Benchmark.run(spark.context(), settings, warmup, measure);
      out.println(new ObjectMapper().writeValueAsString(report));
    }
    return Main.OK;
  }
}
