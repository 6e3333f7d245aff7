package dev.rnnlm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.Tensor;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.SubwordTokenizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads and writes model directories on any Hadoop file system.
 *
 * <pre>
 * DIR/model.json       format, version, cell, text settings, training options and position,
 *                      parameter layout + SHA-256, provenance. Written last: a directory
 *                      without it is not a model.
 * DIR/vocab.json       tokens in id order (JSON array of strings)
 * DIR/tokenizer.json   with subword tokens: the Hugging Face tokenizer that encodes the text
 * DIR/parameters.bin   float32 little-endian, flat, in the layout model.json lists
 * DIR/metrics.jsonl    one JSON object per epoch (appended by training)
 * DIR/validation.jsonl one JSON object per validation within an epoch (--validate-every-steps)
 * DIR/training.png     perplexity against epoch (redrawn by training every few seconds)
 * </pre>
 *
 * Each file is written under a temporary name and renamed into place.
 */
public final class ModelStore {
  public static final String FORMAT = "spark-rnn-lm";
  /**
   * Written: 4 (softmax, cutoffs), or 5 for a model with subword tokens (text.tokenizer), which
   * earlier builds cannot read. Read: 1 (the one-layer rnn, without "layers" and "dropout"), 2
   * (cell, layers, dropout; no embedding), 3 (embedding, tied_weights; a full softmax), 4 and 5.
   */
  public static final int VERSION = 5;
  /** The version written for character and word models, which every build since 4 reads. */
  public static final int VERSION_WITHOUT_TOKENIZER = 4;
  public static final String MODEL_FILE = "model.json";
  public static final String VOCAB_FILE = "vocab.json";
  public static final String TOKENIZER_FILE = "tokenizer.json";
  public static final String PARAMS_FILE = "parameters.bin";
  public static final String METRICS_FILE = "metrics.jsonl";
  /** Validations within epochs (train --validate-every-steps): one JSON object per validation. */
  public static final String VALIDATION_FILE = "validation.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Configuration conf;
  /** False once an append failed on this store's file system: metrics are then rewritten. */
  private volatile boolean appendWorks = true;

  /** The format version {@code m} is written in: the oldest that holds all it needs. */
  public static int versionOf(SavedModel m) {
    return m.text().subwords() == null ? VERSION_WITHOUT_TOKENIZER : VERSION;
  }

  public ModelStore(Configuration conf) {
    this.conf = conf;
  }

  public void save(String dir, SavedModel m) throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    fs.mkdirs(root);
    byte[] params = toLittleEndian(m.params());
    writeAtomically(fs, new Path(root, PARAMS_FILE), params);
    ArrayNode vocab = JSON.createArrayNode();
    m.vocabulary().tokens().forEach(vocab::add);
    writeAtomically(fs, new Path(root, VOCAB_FILE), JSON.writeValueAsBytes(vocab));
    if (m.text().subwords() != null) {
      writeAtomically(fs, new Path(root, TOKENIZER_FILE), m.text().subwords().json());
    }
    writeAtomically(fs, new Path(root, MODEL_FILE),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(describe(m, sha256(params))));
  }

  /**
   * Loads a model directory (or a registry's current version), checking format, version,
   * sizes and checksum.
   *
   * @throws ModelFormatException naming the directory and what is wrong with it
   */
  public SavedModel load(String dirOrRegistry) throws IOException {
    String dir = Registry.resolveModelDir(conf, dirOrRegistry);
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    if (!fs.exists(root)) {
      throw new ModelFormatException("model directory does not exist: " + dir);
    }
    // During a replacement (train --overwrite) each file is read where it is at this moment.
    Path descriptor = ModelDirectory.modelFile(fs, root, MODEL_FILE);
    if (!fs.exists(descriptor)) {
      throw new ModelFormatException("not a model directory (no " + MODEL_FILE + "): " + dir);
    }
    JsonNode d;
    try {
      d = JSON.readTree(readAll(fs, descriptor));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ModelFormatException("unreadable " + MODEL_FILE + " in " + dir + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ModelFormatException("unreadable " + MODEL_FILE + " in " + dir + ": " + e.getMessage());
    }
    if (d == null || !FORMAT.equals(d.path("format").asText())) {
      throw new ModelFormatException("not a " + FORMAT + " model: " + descriptor);
    }
    int version = d.path("version").asInt(-1);
    if (version < 1 || version > VERSION) {
      throw new ModelFormatException("model format version " + version + " in " + dir
          + " is not supported (this build reads versions 1 to " + VERSION + ")");
    }
    try {
      List<String> tokens = new ArrayList<>();
      JSON.readTree(readAll(fs, ModelDirectory.modelFile(fs, root, VOCAB_FILE))).forEach(t -> tokens.add(t.asText()));
      JsonNode text = d.path("text");
      SubwordTokenizer subwords = null;
      Vocabulary vocabulary;
      if (text.hasNonNull("tokenizer")) {
        String file = text.path("tokenizer").asText();
        subwords = SubwordTokenizer.of(readAll(fs, ModelDirectory.modelFile(fs, root, file)),
            new Path(root, file).toString());
        if (!subwords.tokens().equals(tokens)) {
          throw new ModelFormatException("corrupt model in " + dir + ": " + VOCAB_FILE + " differs from "
              + file + "'s vocabulary");
        }
        vocabulary = Vocabulary.ofTokenizer(tokens);
      } else {
        vocabulary = Vocabulary.ofTokens(tokens);
      }
      JsonNode pd = d.path("parameters");
      byte[] raw = readAll(fs, ModelDirectory.modelFile(fs, root, PARAMS_FILE));
      if (!sha256(raw).equals(pd.path("sha256").asText())) {
        throw new ModelFormatException("corrupt model in " + dir + ": " + PARAMS_FILE
            + " does not match its SHA-256 in " + MODEL_FILE);
      }
      float[] params = fromLittleEndian(raw);
      Architecture architecture = new Architecture(d.path("cell").asText(),
          d.path("hidden").asInt(), d.path("layers").asInt(1), (float) d.path("dropout").asDouble(0),
          d.path("embedding").asInt(0), d.path("tied_weights").asBoolean(false),
          adaptiveCutoffs(d, dir));
      LanguageModel model;
      try {
        model = architecture.newModel(vocabulary.size());
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException("unsupported model in " + dir + ": " + e.getMessage());
      }
      if (params.length != model.layout().size() || params.length != pd.path("count").asInt()) {
        throw new ModelFormatException("corrupt model in " + dir + ": " + params.length
            + " parameters, layout needs " + model.layout().size());
      }
      JsonNode pos = d.path("position");
      return new SavedModel(architecture, new TextPipeline(Normalizer.parse(text.path("normalize").asText()),
          Tokenizer.parse(text.path("tokens").asText()), subwords), vocabulary, params,
          new SavedModel.Lineage(new SavedModel.TrainingPosition(pos.path("epochs").asInt(),
              pos.path("steps").asLong(), pos.path("tokens_seen").asLong()),
              stringMap(d.path("training")), stringMap(d.path("provenance"))));
    } catch (FileNotFoundException e) {
      throw new ModelFormatException("incomplete model in " + dir + ": missing " + e.getMessage());
    } catch (ModelFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("corrupt model in " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Appends one JSON line to {@code DIR/metrics.jsonl}: a real append where the file system has
   * one (local, HDFS), else the file is rewritten (object stores). A line cut short by a crash is
   * skipped when the metrics are read back ({@link #truncateMetrics}).
   */
  public void appendMetrics(String dir, Map<String, Object> metrics) throws IOException {
    appendLine(new Path(dir, METRICS_FILE), metrics);
  }

  /** Appends one validation within an epoch to {@code DIR/validation.jsonl}, as {@link #appendMetrics} appends. */
  public void appendValidation(String dir, Map<String, Object> validation) throws IOException {
    appendLine(new Path(dir, VALIDATION_FILE), validation);
  }

  private void appendLine(Path file, Map<String, Object> metrics) throws IOException {
    FileSystem fs = metricsFileSystem(file);
    String line = metricsLine(metrics);
    if (appendWorks && fs.exists(file) && fs.hasPathCapability(file, CommonPathCapabilities.FS_APPEND)) {
      FSDataOutputStream out = null;
      try {
        out = fs.append(file);
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.hflush();
        out.close();
        return;
      } catch (IOException | RuntimeException e) {
        // Some clusters refuse appends (an HDFS pipeline without a spare datanode): rewrite from
        // now on. The lines read back below are the whole ones, so a half-appended line is dropped.
        appendWorks = false;
        closeQuietly(out);
      }
    }
    StringBuilder text = new StringBuilder();
    for (MetricsLine kept : wholeMetricsLines(fs, file)) {
      text.append(kept.text()).append('\n');
    }
    text.append(line);
    writeAtomically(fs, file, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** One line of {@code metrics.jsonl}: as written, and parsed. */
  private record MetricsLine(String text, JsonNode json) {}

  /** The lines of a metrics file that are whole JSON objects (a line a crash cut short is not); none without the file. */
  private static List<MetricsLine> wholeMetricsLines(FileSystem fs, Path file) throws IOException {
    List<MetricsLine> lines = new ArrayList<>();
    if (!fs.exists(file)) {
      return lines;
    }
    for (String line : new String(readAll(fs, file), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        lines.add(new MetricsLine(line, JSON.readTree(line)));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        // cut short by a crash: dropped
      }
    }
    return lines;
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (IOException | RuntimeException e) {
      // already failing over to a rewrite
    }
  }

  /**
   * The per-epoch metrics in {@code DIR/metrics.jsonl}, in file order: each line's fields by
   * name, whole numbers as {@code Integer} or {@code Long}, others as {@code Double}, so that
   * {@link #writeMetrics} writes the same lines back. Empty when there is no such file.
   */
  public List<Map<String, Number>> readMetrics(String dir) throws IOException {
    Path file = new Path(dir, METRICS_FILE);
    List<Map<String, Number>> epochs = new ArrayList<>();
    for (MetricsLine line : wholeMetricsLines(metricsFileSystem(file), file)) {
      epochs.add(numbers(line.json()));
    }
    return epochs;
  }

  /**
   * One epoch's metrics as {@link #readMetrics} returns them once {@link #appendMetrics} has
   * written them, without the file: the same types, and null where JSON holds no number (NaN).
   */
  public static Map<String, Number> metricsAsRead(Map<String, ?> metrics) throws IOException {
    return numbers(JSON.readTree(JSON.writeValueAsString(metrics)));
  }

  private static Map<String, Number> numbers(JsonNode line) {
    Map<String, Number> fields = new LinkedHashMap<>();
    line.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().numberValue()));
    return fields;
  }

  /** Writes {@code DIR/metrics.jsonl} whole: one line per epoch, as training appends them. */
  public void writeMetrics(String dir, List<? extends Map<String, ?>> epochs) throws IOException {
    Path file = new Path(dir, METRICS_FILE);
    StringBuilder text = new StringBuilder();
    for (Map<String, ?> metrics : epochs) {
      text.append(metricsLine(metrics));
    }
    writeAtomically(metricsFileSystem(file), file, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String metricsLine(Map<String, ?> metrics) throws IOException {
    return JSON.writeValueAsString(metrics) + "\n";
  }

  /**
   * Keeps only the metrics lines of epochs {@code <= lastEpoch} (a resumed run rewrites the rest),
   * dropping a last line that a crash cut short.
   */
  public void truncateMetrics(String dir, int lastEpoch) throws IOException {
    keepLines(new Path(dir, METRICS_FILE), json -> json.path("epoch").asInt() <= lastEpoch);
  }

  /**
   * Keeps only the validations within epochs taken at global steps {@code <= lastStep} (a resumed
   * run takes the rest again), dropping a last line that a crash cut short.
   */
  public void truncateValidations(String dir, long lastStep) throws IOException {
    keepLines(new Path(dir, VALIDATION_FILE), json -> json.path("steps").asLong() <= lastStep);
  }

  private void keepLines(Path file, java.util.function.Predicate<JsonNode> keep) throws IOException {
    FileSystem fs = metricsFileSystem(file);
    if (!fs.exists(file)) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (MetricsLine line : wholeMetricsLines(fs, file)) {
      if (keep.test(line.json())) {
        kept.append(line.text()).append('\n');
      }
    }
    writeAtomically(fs, file, kept.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The file system the metrics are written with: on the local one, the raw file system (a
   * checksum file beside a file that is appended to would go stale; a stale one left by an
   * earlier version is removed).
   */
  private FileSystem metricsFileSystem(Path file) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    if (fs instanceof org.apache.hadoop.fs.LocalFileSystem checksummed) {
      FileSystem raw = checksummed.getRaw();
      Path crc = new Path(file.getParent(), "." + file.getName() + ".crc");
      if (raw.exists(crc)) {
        raw.delete(crc, false);
      }
      return raw;
    }
    return fs;
  }

  /** Removes a previous run's metrics and plot so a new training run starts fresh. */
  public void resetMetrics(String dir) throws IOException {
    for (String name : List.of(METRICS_FILE, VALIDATION_FILE)) {
      Path file = new Path(dir, name);
      metricsFileSystem(file).delete(file, false);
    }
    Path plot = new Path(dir, TrainingPlot.FILE);
    plot.getFileSystem(conf).delete(plot, false);
  }

  /** Rewrites {@code DIR/training.png} with the perplexities so far. */
  public void writePlot(String dir, List<Integer> epochs, List<Double> training,
                        List<Double> validation) throws IOException {
    Path file = new Path(dir, TrainingPlot.FILE);
    writeAtomically(file.getFileSystem(conf), file, TrainingPlot.render(epochs, training, validation));
  }

  /** "cutoffs" of an adaptive softmax ("softmax": "adaptive"); none for "full" or before version 4. */
  private static List<Integer> adaptiveCutoffs(JsonNode d, String dir) throws ModelFormatException {
    String softmax = d.path("softmax").asText("full");
    if (softmax.equals("full")) {
      return List.of();
    }
    if (!softmax.equals("adaptive") || !d.path("cutoffs").isArray() || d.path("cutoffs").isEmpty()) {
      throw new ModelFormatException("unsupported model in " + dir + ": softmax '" + softmax
          + "' with cutoffs " + d.path("cutoffs") + " (expected full, or adaptive with cutoffs)");
    }
    List<Integer> cutoffs = new ArrayList<>();
    d.path("cutoffs").forEach(c -> cutoffs.add(c.asInt()));
    return cutoffs;
  }

  private static ObjectNode describe(SavedModel m, String paramsSha256) {
    ObjectNode d = JSON.createObjectNode();
    d.put("format", FORMAT);
    d.put("version", versionOf(m));
    d.put("cell", m.cell());
    d.put("hidden", m.hidden());
    d.put("layers", m.layers());
    d.put("dropout", m.architecture().dropout());
    d.put("embedding", m.architecture().embedding());
    d.put("tied_weights", m.architecture().tiedWeights());
    d.put("softmax", m.architecture().adaptiveSoftmax() ? "adaptive" : "full");
    m.architecture().adaptiveCutoffs().forEach(d.putArray("cutoffs")::add);
    d.put("vocab_size", m.vocabulary().size());
    ObjectNode text = d.putObject("text");
    text.put("normalize", m.normalize().optionName());
    text.put("tokens", m.tokens().optionName());
    if (m.text().subwords() != null) {
      text.put("tokenizer", TOKENIZER_FILE);
    }
    ObjectNode pd = d.putObject("parameters");
    pd.put("file", PARAMS_FILE);
    pd.put("dtype", "float32");
    pd.put("byte_order", "little");
    pd.put("count", m.params().length);
    pd.put("sha256", paramsSha256);
    ArrayNode tensors = pd.putArray("tensors");
    for (Tensor t : m.model().layout().tensors()) {
      ObjectNode tn = tensors.addObject();
      tn.put("name", t.name());
      ArrayNode shape = tn.putArray("shape");
      for (int s : t.shape()) {
        shape.add(s);
      }
      tn.put("offset", t.offset());
    }
    d.put("vocabulary", VOCAB_FILE);
    ObjectNode pos = d.putObject("position");
    pos.put("epochs", m.position().epochs());
    pos.put("steps", m.position().steps());
    pos.put("tokens_seen", m.position().tokensSeen());
    ObjectNode training = d.putObject("training");
    m.training().forEach(training::put);
    ObjectNode provenance = d.putObject("provenance");
    m.provenance().forEach(provenance::put);
    return d;
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  static void writeAtomically(FileSystem fs, Path dest, byte[] bytes) throws IOException {
    Path tmp = new Path(dest.getParent(), "." + dest.getName() + "." + UUID.randomUUID() + ".tmp");
    try (FSDataOutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
      out.hsync();
    }
    if (fs.exists(dest) && !fs.delete(dest, false)) {
      throw new IOException("cannot replace " + dest);
    }
    if (!fs.rename(tmp, dest)) {
      fs.delete(tmp, false);
      throw new IOException("cannot rename " + tmp + " to " + dest);
    }
  }

  static byte[] readAll(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return in.readAllBytes();
    }
  }

  static byte[] toLittleEndian(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  static float[] fromLittleEndian(byte[] bytes) {
    if (bytes.length % Float.BYTES != 0) {
      throw new ModelFormatException(PARAMS_FILE + " length " + bytes.length + " is not a multiple of 4");
    }
    float[] values = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
