package dev.rnnlm.io;

import com.google.protobuf.ByteString;
import dev.rnnlm.onnx.proto.OnnxProto.AttributeProto;
import dev.rnnlm.onnx.proto.OnnxProto.GraphProto;
import dev.rnnlm.onnx.proto.OnnxProto.ModelProto;
import dev.rnnlm.onnx.proto.OnnxProto.NodeProto;
import dev.rnnlm.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.rnnlm.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.rnnlm.onnx.proto.OnnxProto.TensorProto;
import dev.rnnlm.onnx.proto.OnnxProto.TensorShapeProto;
import dev.rnnlm.onnx.proto.OnnxProto.TypeProto;
import dev.rnnlm.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as an ONNX graph (opset {@link #OPSET}) that ONNX Runtime and every other ONNX
 * serving stack runs: the recurrent layers as ONNX's own RNN, GRU and LSTM operators, built from
 * PyTorch's naming of the parameters ({@link ExportedTensor#asTorch}) as {@code torch.onnx} builds
 * them.
 *
 * <pre>
 * inputs   input_ids int64 (T, B); h0 float32 (L, B, H); c0 float32 (L, B, H), LSTM only
 * outputs  logits float32 (T, B, V); hn (L, B, H); cn (L, B, H), LSTM only
 * </pre>
 *
 * T and B are free. Layer 0 reads the embedding's rows ({@code Gather}), or without an embedding
 * one-hot rows ({@code OneHot}); each layer is one operator over all T steps, started from its
 * slice of h0 (and c0); the output layer is a {@code MatMul} and an {@code Add}, its weight the
 * embedding's transpose when tied. ONNX orders the gates differently: PyTorch's GRU rows (r, z, n)
 * become (z, r, n) with {@code linear_before_reset = 1}, its LSTM rows (i, f, g, o) become
 * (i, o, f, g). An adaptive softmax has no export yet.
 */
public final class OnnxGraph {
  public static final int OPSET = 14;
  /** ONNX's IR version 8 (ONNX 1.10): read by every ONNX Runtime since 1.10. */
  static final int IR_VERSION = 8;

  private final SavedModel m;
  private final Map<String, ExportedTensor> torch = new LinkedHashMap<>();
  private final GraphProto.Builder graph = GraphProto.newBuilder().setName("spark-rnn-lm");
  private final int layers;
  private final int hidden;
  private final boolean lstm;

  private OnnxGraph(SavedModel m) {
    this.m = m;
    for (ExportedTensor t : ExportedTensor.asTorch(m)) {
      torch.put(t.name(), t);
    }
    this.layers = m.layers();
    this.hidden = m.hidden();
    this.lstm = m.cell().equals("lstm");
  }

  /** The serialized ONNX model of {@code m}. */
  public static byte[] of(SavedModel m) {
    return new OnnxGraph(m).build().toByteArray();
  }

  private ModelProto build() {
    graph.addInput(valueInfo("input_ids", TensorProto.DataType.INT64_VALUE, "T", "B"));
    graph.addInput(valueInfo("h0", TensorProto.DataType.FLOAT_VALUE, layers, "B", hidden));
    if (lstm) {
      graph.addInput(valueInfo("c0", TensorProto.DataType.FLOAT_VALUE, layers, "B", hidden));
    }
    boolean embedded = m.architecture().embedding() > 0;
    String x;
    if (embedded) {
      initializer("encoder.weight", torch.get("encoder.weight"));
      x = node("Gather", List.of("encoder.weight", "input_ids"), "embedded");
    } else {
      longs("vocab_size", new long[] {m.vocabulary().size()});
      floats("one_hot_values", new float[] {0f, 1f}, 2);
      x = node("OneHot", List.of("input_ids", "vocab_size", "one_hot_values"), "one_hot");
    }
    longs("axis_0", new long[] {0});
    longs("axis_1", new long[] {1});
    List<String> finalH = new ArrayList<>();
    List<String> finalC = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      String[] state = layer(l, x);
      x = state[0];
      finalH.add(state[1]);
      if (lstm) {
        finalC.add(state[2]);
      }
    }
    concatenate(finalH, "hn");
    if (lstm) {
      concatenate(finalC, "cn");
    }
    String decoder = embedded ? "decoder" : "out";
    if (m.architecture().adaptiveSoftmax()) {
      adaptiveLogProbabilities(x, decoder);
    } else {
      fullSoftmaxLogits(x, decoder, embedded);
    }
    graph.addOutput(valueInfo("logits", TensorProto.DataType.FLOAT_VALUE, "T", "B", m.vocabulary().size()));
    graph.addOutput(valueInfo("hn", TensorProto.DataType.FLOAT_VALUE, layers, "B", hidden));
    if (lstm) {
      graph.addOutput(valueInfo("cn", TensorProto.DataType.FLOAT_VALUE, layers, "B", hidden));
    }
    return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("spark-rnn-lm")
        .setModelVersion(m.position().steps())
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("cell").setValue(m.cell()))
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("tokens").setValue(m.tokens().optionName()))
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("normalize")
            .setValue(m.normalize().optionName()))
        .setGraph(graph).build();
  }

  /** {@code logits} = x W + b over the whole vocabulary; tied, W is the embedding's transpose. */
  private void fullSoftmaxLogits(String x, String decoder, boolean embedded) {
    String weightT;
    if (m.architecture().tiedWeights()) {
      weightT = node("Transpose", List.of("encoder.weight"), "decoder_weight_t", perm());
    } else {
      ExportedTensor w = torch.get(decoder + ".weight"); // (V, H)
      floats("decoder_weight_t", transpose(w), w.shape()[1], w.shape()[0]);
      weightT = "decoder_weight_t";
    }
    initializer("decoder.bias", torch.get(decoder + ".bias"));
    String products = node("MatMul", List.of(x, weightT), "decoder_products");
    node("Add", List.of(products, "decoder.bias"), "logits");
  }

  /**
   * An adaptive softmax's log-probabilities of every token as {@code logits} (a softmax of them
   * is the distribution): the head's log-softmax over the shortlist and one entry per cluster, and
   * for each cluster its own log-softmax plus the head's entry for the cluster
   * ({@code nn.AdaptiveLogSoftmaxWithLoss.log_prob}).
   */
  private void adaptiveLogProbabilities(String x, String decoder) {
    List<Integer> cutoffs = m.architecture().adaptiveCutoffs();
    int shortlist = cutoffs.get(0);
    longs("axis_2", new long[] {2});
    ExportedTensor head = torch.get(decoder + ".head.weight"); // (c_0 + K, H)
    floats("head_weight_t", transpose(head), head.shape()[1], head.shape()[0]);
    String headLog = node("LogSoftmax", List.of(node("MatMul", List.of(x, "head_weight_t"), "head")), "head_log");
    longs("shortlist_start", new long[] {0});
    longs("shortlist_end", new long[] {shortlist});
    List<String> parts = new ArrayList<>(List.of(
        node("Slice", List.of(headLog, "shortlist_start", "shortlist_end", "axis_2"), "shortlist_log")));
    for (int i = 0; i < cutoffs.size(); i++) {
      String p = "cluster" + i + ".";
      ExportedTensor projection = torch.get(decoder + ".tail." + i + ".0.weight"); // (d_i, H)
      ExportedTensor output = torch.get(decoder + ".tail." + i + ".1.weight");     // (size_i, d_i)
      floats(p + "projection_t", transpose(projection), projection.shape()[1], projection.shape()[0]);
      floats(p + "output_t", transpose(output), output.shape()[1], output.shape()[0]);
      String projected = node("MatMul", List.of(x, p + "projection_t"), p + "projected");
      String clusterLog = node("LogSoftmax", List.of(node("MatMul", List.of(projected, p + "output_t"),
          p + "logits")), p + "log");
      longs(p + "start", new long[] {shortlist + i});
      longs(p + "end", new long[] {shortlist + i + 1});
      String prior = node("Slice", List.of(headLog, p + "start", p + "end", "axis_2"), p + "prior");
      parts.add(node("Add", List.of(clusterLog, prior), p + "log_prob"));
    }
    graph.addNode(NodeProto.newBuilder().setOpType("Concat").addAllInput(parts).addOutput("logits")
        .addAttribute(intAttribute("axis", 2)));
  }

  /**
   * Layer {@code l} over input {@code x} (T, B, in): returns its output (T, B, H) and its final
   * h (and c) (1, B, H).
   */
  private String[] layer(int l, String x) {
    String p = "l" + l + ".";
    longs(p + "start", new long[] {l});
    longs(p + "end", new long[] {l + 1});
    String h0 = node("Slice", List.of("h0", p + "start", p + "end", "axis_0"), p + "h0");
    String c0 = lstm ? node("Slice", List.of("c0", p + "start", p + "end", "axis_0"), p + "c0") : null;
    int[] order = switch (m.cell()) {
      case "gru" -> new int[] {1, 0, 2};       // torch r, z, n -> ONNX z, r, h
      case "lstm" -> new int[] {0, 3, 1, 2};   // torch i, f, g, o -> ONNX i, o, f, c
      default -> new int[] {0};
    };
    ExportedTensor wih = torch.get("rnn.weight_ih_l" + l); // (G H, in)
    ExportedTensor whh = torch.get("rnn.weight_hh_l" + l); // (G H, H)
    floats(p + "W", gateRows(wih, order), 1, wih.shape()[0], wih.shape()[1]);
    floats(p + "R", gateRows(whh, order), 1, whh.shape()[0], whh.shape()[1]);
    float[] bih = gateRows(torch.get("rnn.bias_ih_l" + l), order);
    float[] bhh = gateRows(torch.get("rnn.bias_hh_l" + l), order);
    float[] b = new float[bih.length + bhh.length];
    System.arraycopy(bih, 0, b, 0, bih.length);
    System.arraycopy(bhh, 0, b, bih.length, bhh.length);
    floats(p + "B", b, 1, b.length);
    List<String> inputs = new ArrayList<>(List.of(x, p + "W", p + "R", p + "B", "", h0));
    List<String> outputs = new ArrayList<>(List.of(p + "y", p + "hn"));
    if (lstm) {
      inputs.add(c0);
      outputs.add(p + "cn");
    }
    NodeProto.Builder cell = NodeProto.newBuilder().setOpType(switch (m.cell()) {
      case "gru" -> "GRU";
      case "lstm" -> "LSTM";
      default -> "RNN";
    }).addAllInput(inputs).addAllOutput(outputs).addAttribute(intAttribute("hidden_size", hidden));
    if (m.cell().equals("gru")) {
      cell.addAttribute(intAttribute("linear_before_reset", 1));
    }
    graph.addNode(cell);
    String y = node("Squeeze", List.of(p + "y", "axis_1"), p + "out"); // (T, 1, B, H) -> (T, B, H)
    return lstm ? new String[] {y, p + "hn", p + "cn"} : new String[] {y, p + "hn"};
  }

  /** The rows of {@code t} (a matrix or vector of G blocks of H rows) with its blocks in {@code order}. */
  private float[] gateRows(ExportedTensor t, int[] order) {
    int rows = t.shape()[0];
    int columns = t.shape().length > 1 ? t.shape()[1] : 1;
    int block = rows / order.length * columns;
    float[] out = new float[rows * columns];
    for (int g = 0; g < order.length; g++) {
      System.arraycopy(t.values(), t.offset() + order[g] * block, out, g * block, block);
    }
    return out;
  }

  private static float[] transpose(ExportedTensor t) {
    int rows = t.shape()[0];
    int columns = t.shape()[1];
    float[] out = new float[rows * columns];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        out[c * rows + r] = t.values()[t.offset() + r * columns + c];
      }
    }
    return out;
  }

  private void concatenate(List<String> parts, String output) {
    graph.addNode(NodeProto.newBuilder().setOpType("Concat").addAllInput(parts).addOutput(output)
        .addAttribute(intAttribute("axis", 0)));
  }

  /** Adds a node with one output and returns the output's name. */
  private String node(String op, List<String> inputs, String output, AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addOutput(output);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return output;
  }

  private static AttributeProto perm() {
    return AttributeProto.newBuilder().setName("perm").setType(AttributeProto.AttributeType.INTS)
        .addInts(1).addInts(0).build();
  }

  private static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  private void initializer(String name, ExportedTensor t) {
    float[] values = new float[t.size()];
    System.arraycopy(t.values(), t.offset(), values, 0, values.length);
    floats(name, values, t.shape());
  }

  private void floats(String name, float[] values, int... shape) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(bytes.array()));
    for (int d : shape) {
      t.addDims(d);
    }
    graph.addInitializer(t);
  }

  private void longs(String name, long[] values) {
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(values.length).addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
  }

  /** An input or output: its element type and dimensions, each a size (Integer) or a name (String). */
  private static ValueInfoProto valueInfo(String name, int elementType, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Integer size) {
        dim.setDimValue(size);
      } else {
        dim.setDimParam((String) d);
      }
      shape.addDim(dim);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape))).build();
  }
}
