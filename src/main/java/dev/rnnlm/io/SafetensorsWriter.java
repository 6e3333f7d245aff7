package dev.rnnlm.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rnnlm.model.Tensor;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Exports a model's parameters as a <a href="https://huggingface.co/docs/safetensors">safetensors</a>
 * file and its vocabulary as JSON beside it, on any Hadoop file system.
 *
 * <pre>
 * FILE             u64 little-endian N; N bytes of UTF-8 JSON header, padded with spaces so the
 *                  data starts at a multiple of 8; then the tensors' float32 little-endian
 *                  bytes, contiguous, in the order {@link ExportedTensor} lists them (as stored,
 *                  or named and shaped as PyTorch modules). The header maps each name to dtype
 *                  "F32", shape and
 *                  data_offsets (relative to the data); "__metadata__" holds strings: format,
 *                  format_version, cell, hidden, vocab_size, normalize, tokens, vocabulary
 *                  (the vocabulary file's name), epochs, steps, tokens_seen.
 * STEM.vocab.json  {"tokens": [token of id 0, id 1, ...], "unk": "&lt;unk&gt;",
 *                   "normalize": "none|lower|d2l", "tokens_mode": "char|word|word-eos"}
 * </pre>
 *
 * For {@code model.safetensors} the vocabulary is {@code model.vocab.json}; any other name gets
 * {@code .vocab.json} appended. Each file is written under a temporary name in its directory and
 * renamed into place, the vocabulary first, so a complete tensor file always has the matching
 * vocabulary beside it. On the local file system the raw file system is used: the export is for
 * other programs, so no Hadoop {@code .crc} side files are written.
 */
public final class SafetensorsWriter {
  public static final String EXTENSION = ".safetensors";
  public static final String ONNX_EXTENSION = ".onnx";
  public static final String VOCAB_SUFFIX = ".vocab.json";
  public static final String DTYPE = "F32";
  public static final String METADATA_KEY = "__metadata__";
  /** The tensor data starts at a multiple of this many bytes from the start of the file. */
  public static final int ALIGNMENT = 8;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Floats converted per write: bounded memory for any model size. */
  private static final int CHUNK_FLOATS = 1 << 14;

  private final Configuration conf;

  public SafetensorsWriter(Configuration conf) {
    this.conf = conf;
  }

  /**
   * What an export wrote.
   *
   * @param tensorsFile the safetensors file
   * @param vocabularyFile the vocabulary JSON beside it
   * @param bytes size of the safetensors file
   * @param tokenizerFile the model's tokenizer.json beside it (subword models), else null
   */
  public record Exported(String tensorsFile, String vocabularyFile, long bytes, String tokenizerFile) {}

  /** A subword model's tokenizer goes beside its tensors under the name every Hugging Face loader looks for. */
  public static final String TOKENIZER_FILE = ModelStore.TOKENIZER_FILE;

  /** The vocabulary file that goes with a safetensors file: {@code .safetensors} replaced or {@code .vocab.json} appended. */
  public static String vocabularyPath(String tensorsFile) {
    String path = new Path(tensorsFile).toString();
    String name = new Path(path).getName();
    for (String extension : List.of(EXTENSION, ONNX_EXTENSION)) {
      if (name.length() > extension.length() && name.toLowerCase(Locale.ROOT).endsWith(extension)) {
        return path.substring(0, path.length() - extension.length()) + VOCAB_SUFFIX;
      }
    }
    return path + VOCAB_SUFFIX;
  }

  /**
   * Writes {@code m}'s tensors to {@code tensorsFile} and its vocabulary beside it, replacing
   * existing files.
   *
   * @throws IllegalArgumentException when {@code tensorsFile} is a directory
   */
  public Exported write(SavedModel m, String tensorsFile) throws IOException {
    return write(m, ExportedTensor.asStored(m), tensorsFile);
  }

  /** As {@link #write(SavedModel, String)}, with the tensors {@code tensors} (named as they say). */
  public Exported write(SavedModel m, List<ExportedTensor> tensors, String tensorsFile) throws IOException {
    checkSize(m, tensors);
    byte[] header = header(m, tensors, new Path(vocabularyPath(tensorsFile)).getName());
    return writeBeside(m, tensorsFile, out -> {
      out.write(header);
      writeTensors(tensors, out);
    });
  }

  /**
   * Writes {@code m} as an ONNX model ({@link OnnxGraph}) to {@code onnxFile}, with its vocabulary
   * (and tokenizer) beside it as for the safetensors file.
   */
  public Exported writeOnnx(SavedModel m, String onnxFile) throws IOException {
    byte[] model = OnnxGraph.of(m);
    return writeBeside(m, onnxFile, out -> out.write(model));
  }

  /** Writes {@code content} to {@code modelFile}, after the vocabulary and tokenizer beside it. */
  private Exported writeBeside(SavedModel m, String modelFile, Content content) throws IOException {
    Path file = new Path(modelFile);
    Path vocabFile = new Path(vocabularyPath(modelFile));
    Path tokenizerFile = m.text().subwords() == null ? null : new Path(file.getParent(), TOKENIZER_FILE);
    FileSystem fs = fileSystem(file);
    for (Path p : tokenizerFile == null ? List.of(file, vocabFile) : List.of(file, vocabFile, tokenizerFile)) {
      if (fs.exists(p) && fs.getFileStatus(p).isDirectory()) {
        throw new IllegalArgumentException("cannot export to " + p + ": it is a directory");
      }
    }
    if (tokenizerFile != null) {
      writeAtomically(fs, tokenizerFile, out -> out.write(m.text().subwords().json()));
    }
    writeAtomically(fs, vocabFile, out -> out.write(vocabularyJson(m)));
    writeAtomically(fs, file, content);
    FileStatus written = fs.getFileStatus(file);
    return new Exported(file.toString(), vocabFile.toString(), written.getLen(),
        tokenizerFile == null ? null : tokenizerFile.toString());
  }

  /**
   * The first part of the file: the u64 little-endian header length, then the JSON header padded
   * with spaces to {@link #ALIGNMENT}.
   */
  static byte[] header(SavedModel m, List<ExportedTensor> tensors, String vocabularyName) throws IOException {
    ObjectNode h = JSON.createObjectNode();
    ObjectNode meta = h.putObject(METADATA_KEY);
    meta.put("format", ModelStore.FORMAT);
    meta.put("format_version", Integer.toString(ModelStore.versionOf(m)));
    meta.put("cell", m.cell());
    meta.put("hidden", Integer.toString(m.hidden()));
    meta.put("layers", Integer.toString(m.layers()));
    meta.put("embedding", Integer.toString(m.architecture().embedding()));
    meta.put("tied_weights", Boolean.toString(m.architecture().tiedWeights()));
    if (m.architecture().adaptiveSoftmax()) {
      // the torch naming is nn.AdaptiveLogSoftmaxWithLoss(H, V, cutoffs, div_value)
      meta.put("softmax", "adaptive");
      meta.put("cutoffs", m.architecture().adaptiveCutoffs().toString());
      meta.put("div_value", m.architecture().tiedWeights() ? "1.0" : "4.0");
    }
    meta.put("vocab_size", Integer.toString(m.vocabulary().size()));
    meta.put("normalize", m.normalize().optionName());
    meta.put("tokens", m.tokens().optionName());
    meta.put("vocabulary", vocabularyName);
    if (m.text().subwords() != null) {
      meta.put("tokenizer", TOKENIZER_FILE);
    }
    meta.put("epochs", Integer.toString(m.position().epochs()));
    meta.put("steps", Long.toString(m.position().steps()));
    meta.put("tokens_seen", Long.toString(m.position().tokensSeen()));
    long begin = 0;
    for (ExportedTensor t : tensors) {
      long end = begin + (long) t.size() * Float.BYTES;
      ObjectNode tn = h.putObject(t.name());
      tn.put("dtype", DTYPE);
      ArrayNode shape = tn.putArray("shape");
      for (int s : t.shape()) {
        shape.add(s);
      }
      ArrayNode offsets = tn.putArray("data_offsets");
      offsets.add(begin);
      offsets.add(end);
      begin = end;
    }
    byte[] json = JSON.writeValueAsBytes(h);
    int padding = (ALIGNMENT - (Long.BYTES + json.length) % ALIGNMENT) % ALIGNMENT;
    ByteBuffer buf = ByteBuffer.allocate(Long.BYTES + json.length + padding).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(json.length + padding);
    buf.put(json);
    for (int i = 0; i < padding; i++) {
      buf.put((byte) ' ');
    }
    return buf.array();
  }

  /** The vocabulary file's content. */
  static byte[] vocabularyJson(SavedModel m) throws IOException {
    ObjectNode v = JSON.createObjectNode();
    ArrayNode tokens = v.putArray("tokens");
    m.vocabulary().tokens().forEach(tokens::add);
    if (m.vocabulary().hasUnknown()) {
      v.put("unk", Vocabulary.UNKNOWN);
    }
    v.put("normalize", m.normalize().optionName());
    v.put("tokens_mode", m.tokens().optionName());
    return JSON.writeValueAsBytes(v);
  }

  /** The tensors must hold the model's parameters, no more, no fewer (the torch rnn's zero b_hh aside). */
  private static void checkSize(SavedModel m, List<ExportedTensor> tensors) {
    long stored = m.model().layout().tensors().stream().mapToLong(Tensor::size).sum();
    if (stored != m.params().length) {
      throw new IllegalArgumentException("model has " + m.params().length
          + " parameters, its layout needs " + stored);
    }
  }

  /** Each tensor's values, float32 little-endian, in order. */
  private static void writeTensors(List<ExportedTensor> tensors, OutputStream out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (ExportedTensor t : tensors) {
      for (int from = t.offset(), end = t.offset() + t.size(); from < end; from += CHUNK_FLOATS) {
        int n = Math.min(CHUNK_FLOATS, end - from);
        buf.clear();
        buf.asFloatBuffer().put(t.values(), from, n);
        out.write(buf.array(), 0, n * Float.BYTES);
      }
    }
  }

  private FileSystem fileSystem(Path p) throws IOException {
    FileSystem fs = p.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes to a temporary file in the destination's directory, then renames it into place. */
  private static void writeAtomically(FileSystem fs, Path dest, Content content) throws IOException {
    Path parent = dest.getParent();
    Path tmp = new Path(parent, "." + dest.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(tmp, true)) {
        content.writeTo(out);
        out.hsync();
      }
      // Replaces dest in one step where the file system can (POSIX rename); elsewhere (HDFS,
      // object stores) rename does not overwrite, so the old file is removed first.
      if (!fs.rename(tmp, dest)) {
        if (!fs.exists(dest) || !fs.delete(dest, false) || !fs.rename(tmp, dest)) {
          throw new IOException("cannot rename " + tmp + " to " + dest);
        }
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }
}
