package dev.rnnlm.cli;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.Registry;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code rnnlm inspect}: what a model directory holds, as {@code key: value} lines:
 * configuration, vocabulary size and sample, parameter count, training position, options and
 * the last line of the metrics log. No Spark job.
 */
final class InspectCommand {
  /** Tokens shown in the vocabulary sample. */
  static final int SAMPLE_TOKENS = 20;

  static final List<Option> OPTIONS = List.of(
      Option.value("model", "DIR", "model directory (required)"));

  private InspectCommand() {}

  static int run(String[] args, PrintStream out) throws IOException {
    OptionParsing.Parsed parsed = OptionParsing.parse("inspect", "describe a model directory",
        OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    String given = OptionParsing.require(parsed.values(), "model", "inspect");
    Configuration conf = SparkSession.hadoopConfiguration();
    SavedModel m = new ModelStore(conf).load(given);
    String dir = Registry.resolveModelDir(conf, given);
    if (!dir.equals(given)) {
      out.println("registry: " + given + " (current version " + new org.apache.hadoop.fs.Path(dir).getName() + ")");
    }
    List<String> tokens = m.vocabulary().tokens();
    int shown = Math.min(SAMPLE_TOKENS, tokens.size());

    out.println("model: " + dir);
    out.println("format: " + ModelStore.FORMAT + " v" + ModelStore.versionOf(m));
    if (m.architecture().embedding() > 0) {
      out.println("embedding: " + m.architecture().embedding()
          + (m.architecture().tiedWeights() ? "  tied to the output layer" : ""));
    }
    if (m.architecture().adaptiveSoftmax()) {
      out.println("softmax: adaptive  cutoffs: " + m.architecture().adaptiveCutoffs().stream()
          .map(String::valueOf).collect(Collectors.joining(",")));
    }
    out.println("cell: " + m.cell() + "  hidden: " + m.hidden() + "  vocabulary: " + tokens.size());
    if (m.layers() > 1 || m.architecture().dropout() > 0) {
      out.println("layers: " + m.layers() + "  dropout: " + m.architecture().dropout());
    }
    out.println("text: normalize " + m.normalize().optionName() + ", tokens " + m.tokens().optionName()
        + (m.text().subwords() == null ? "" : ", " + m.text().subwords()));
    out.println("parameters: " + m.params().length + " (" + shapes(m) + ")");
    out.println("training: epochs " + m.position().epochs() + ", steps " + m.position().steps()
        + ", tokens seen " + m.position().tokensSeen());
    out.println("options: " + keyValues(m.training()));
    out.println("provenance: " + keyValues(m.provenance()));
    out.println("vocabulary sample: " + tokens.subList(0, shown).stream()
        .map(InspectCommand::quote).collect(Collectors.joining(" "))
        + (shown < tokens.size() ? " ... (first " + shown + " of " + tokens.size() + ")" : ""));
    String last = lastMetrics(conf, dir);
    out.println("last metrics: " + (last == null ? "none (no " + ModelStore.METRICS_FILE + ")" : last));
    return Main.OK;
  }

  /** {@code W_xh 28x512, W_hh 512x512, b_h 512, ...}: each tensor's name and shape, in layout order. */
  static String shapes(SavedModel m) {
    return m.model().layout().tensors().stream()
        .map(t -> t.name() + " " + shape(t))
        .collect(Collectors.joining(", "));
  }

  private static String shape(Tensor t) {
    return Arrays.stream(t.shape()).mapToObj(Integer::toString).collect(Collectors.joining("x"));
  }

  private static String keyValues(Map<String, String> values) {
    return values.isEmpty() ? "none" : values.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }

  /** The last non-blank line of {@code DIR/metrics.jsonl}, or null when there is none. */
  private static String lastMetrics(Configuration conf, String dir) throws IOException {
    Path file = new Path(dir, ModelStore.METRICS_FILE);
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return null;
    }
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    return lines.isEmpty() ? null : lines.get(lines.size() - 1).strip();
  }

  /** A token in single quotes, with line breaks, tabs, quotes, backslashes and other controls escaped. */
  static String quote(String token) {
    StringBuilder b = new StringBuilder("'");
    token.codePoints().forEach(cp -> {
      switch (cp) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\\' -> b.append("\\\\");
        case '\'' -> b.append("\\'");
        default -> {
          if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
            b.append(String.format("\\u%04x", cp));
          } else {
            b.appendCodePoint(cp);
          }
        }
      }
    });
    return b.append('\'').toString();
  }
}
