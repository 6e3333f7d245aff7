package dev.rnnlm.cli;

import dev.rnnlm.io.ExportedTensor;
import dev.rnnlm.io.OnnxGraph;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SafetensorsWriter;
import dev.rnnlm.io.SavedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code rnnlm export}: writes a model's parameters in a format other programs read (safetensors)
 * and its vocabulary as JSON beside it. No Spark job.
 */
final class ExportCommand {
  static final List<String> FORMATS = List.of("safetensors", "torch", "onnx");

  static final List<Option> OPTIONS = List.of(
      Option.value("model", "DIR", "model directory (required)"),
      Option.value("format", "NAME", "output format: safetensors (the stored names), torch "
          + "(safetensors named and shaped as a PyTorch nn.RNN/GRU/LSTM under rnn. and an nn.Linear "
          + "under out.) or onnx (an ONNX model for ONNX Runtime: input_ids, h0[, c0] -> logits, hn[, cn])"
          + " [safetensors]"),
      Option.value("out", "FILE", "file to write (required); the vocabulary goes beside it, "
          + "FILE with .safetensors or .onnx replaced by (or else followed by) .vocab.json"));

  private ExportCommand() {}

  static int run(String[] args, PrintStream out) throws IOException {
    OptionParsing.Parsed parsed = OptionParsing.parse("export",
        "export a model's parameters and vocabulary", OPTIONS, args, out);
    if (parsed.helpShown()) {
      return Main.OK;
    }
    Map<String, String> v = parsed.values();
    String dir = OptionParsing.require(v, "model", "export");
    String file = OptionParsing.require(v, "out", "export");
    String format = v.getOrDefault("format", "safetensors");
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("--format must be " + String.join(" or ", FORMATS)
          + ", got '" + format + "'");
    }
    Configuration conf = SparkSession.hadoopConfiguration();
    SavedModel saved = new ModelStore(conf).load(dir);
    SafetensorsWriter writer = new SafetensorsWriter(conf);
    SafetensorsWriter.Exported written;
    if (format.equals("onnx")) {
      written = writer.writeOnnx(saved, file);
      out.printf("wrote %s (%d bytes, ONNX opset %d: input_ids (T, B), h0%s -> logits (T, B, %d), hn%s)%n",
          written.tensorsFile(), written.bytes(), OnnxGraph.OPSET, saved.cell().equals("lstm") ? ", c0" : "",
          saved.vocabulary().size(), saved.cell().equals("lstm") ? ", cn" : "");
    } else {
      List<ExportedTensor> tensors = format.equals("torch") ? ExportedTensor.asTorch(saved)
          : ExportedTensor.asStored(saved);
      written = writer.write(saved, tensors, file);
      out.printf("wrote %s (%d bytes, %d float32 parameters: %s)%n", written.tensorsFile(),
          written.bytes(), saved.params().length, InspectCommand.shapes(saved));
    }
    out.printf("wrote %s (%d tokens)%n", written.vocabularyFile(), saved.vocabulary().size());
    if (written.tokenizerFile() != null) {
      out.printf("wrote %s (the Hugging Face tokenizer of its ids)%n", written.tokenizerFile());
    }
    return Main.OK;
  }
}
