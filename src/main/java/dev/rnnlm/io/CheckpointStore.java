package dev.rnnlm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rnnlm.optim.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints of a training run under {@code DIR/checkpoints/}, on any Hadoop file system.
 *
 * <pre>
 * DIR/checkpoints/step-000000001234/   one checkpoint, named by the global step count
 *   model.json, vocab.json, parameters.bin   a complete model ({@link ModelStore}; SHA-256 checked)
 *   state.json                               position in the epoch, running sums, history,
 *                                            SHA-256 of states.bin (and optimizer.bin), the
 *                                            optimizers' names
 *   states.bin                               carried hidden states, float32 little-endian,
 *                                            partition after partition
 *   optimizer.bin                            the optimizers' states ({@link OptimizerState}'s bytes, one
 *                                            after the other; only when there are any)
 * </pre>
 *
 * A checkpoint is written into a hidden temporary directory and committed by renaming that
 * directory, so a reader sees it whole or not at all. Loading takes the newest checkpoint that
 * passes every check and reports, by name, each newer one it had to skip.
 */
public final class CheckpointStore {
  public static final String DIR = "checkpoints";
  private static final String PREFIX = "step-";
  private static final String STATE_FILE = "state.json";
  private static final String STATES_FILE = "states.bin";
  private static final String OPTIMIZER_FILE = "optimizer.bin";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Configuration conf;
  private final ModelStore models;

  public CheckpointStore(Configuration conf) {
    this.conf = conf;
    this.models = new ModelStore(conf);
  }

  /** Where {@link #save} writes the checkpoint at global step {@code globalStep}. */
  public static Path pathOf(String modelDir, long globalStep) {
    return new Path(new Path(modelDir, DIR), String.format("%s%012d", PREFIX, globalStep));
  }

  /** Writes a checkpoint at global step {@code globalStep} and keeps only the newest {@code keep}. */
  public Path save(String modelDir, long globalStep, Checkpoint c, int keep) throws IOException {
    Path root = new Path(modelDir, DIR);
    FileSystem fs = root.getFileSystem(conf);
    Path dest = pathOf(modelDir, globalStep);
    Path tmp = new Path(root, "." + dest.getName() + "." + UUID.randomUUID() + ".tmp");
    fs.mkdirs(tmp);
    models.save(tmp.toString(), c.model());
    byte[] states = c.states() == null ? new byte[0] : ModelStore.toLittleEndian(flatten(c.states()));
    ModelStore.writeAtomically(fs, new Path(tmp, STATES_FILE), states);
    ByteArrayOutputStream optimizerBytes = new ByteArrayOutputStream();
    for (OptimizerState o : c.carried().optimizers()) {
      o.writeTo(optimizerBytes);
    }
    byte[] optimizer = optimizerBytes.toByteArray();
    if (optimizer.length > 0) {
      ModelStore.writeAtomically(fs, new Path(tmp, OPTIMIZER_FILE), optimizer);
    }
    ModelStore.writeAtomically(fs, new Path(tmp, STATE_FILE),
        describe(c, ModelStore.sha256(states), ModelStore.sha256(optimizer)));
    if (fs.exists(dest)) {
      fs.delete(dest, true);
    }
    if (!fs.rename(tmp, dest)) {
      fs.delete(tmp, true);
      throw new IOException("cannot commit checkpoint " + dest);
    }
    prune(fs, root, keep);
    return dest;
  }

  /**
   * The newest checkpoint in {@code modelDir} that is complete and uncorrupted, or empty when
   * there is none. Each newer checkpoint that fails a check is reported on {@code log} by name.
   */
  public Optional<Loaded> loadNewest(String modelDir, PrintStream log) throws IOException {
    Path root = new Path(modelDir, DIR);
    FileSystem fs = root.getFileSystem(conf);
    for (Path candidate : committed(fs, root)) {
      try {
        return Optional.of(new Loaded(candidate, load(fs, candidate)));
      } catch (IOException | RuntimeException e) {
        log.println("warning: skipping corrupt checkpoint " + candidate + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** A checkpoint and where it was read from. */
  public record Loaded(Path path, Checkpoint checkpoint) {}

  /** Committed checkpoints, newest first. */
  public List<Path> list(String modelDir) throws IOException {
    Path root = new Path(modelDir, DIR);
    return committed(root.getFileSystem(conf), root);
  }

  private Checkpoint load(FileSystem fs, Path dir) throws IOException {
    SavedModel model = models.load(dir.toString());
    JsonNode d = JSON.readTree(ModelStore.readAll(fs, new Path(dir, STATE_FILE)));
    if (d == null || !d.has("epoch")) {
      throw new ModelFormatException("no training state in " + STATE_FILE);
    }
    byte[] raw = ModelStore.readAll(fs, new Path(dir, STATES_FILE));
    if (!ModelStore.sha256(raw).equals(d.path("states_sha256").asText())) {
      throw new ModelFormatException(STATES_FILE + " does not match its SHA-256 in " + STATE_FILE);
    }
    float[][] states = null;
    JsonNode lengths = d.path("state_lengths");
    if (lengths.isArray() && lengths.size() > 0) {
      float[] flat = ModelStore.fromLittleEndian(raw);
      states = new float[lengths.size()][];
      int at = 0;
      for (int p = 0; p < states.length; p++) {
        int n = lengths.get(p).asInt();
        states[p] = Arrays.copyOfRange(flat, at, at + n);
        at += n;
      }
      if (at != flat.length) {
        throw new ModelFormatException(STATES_FILE + " holds " + flat.length + " floats, expected " + at);
      }
    }
    return new Checkpoint(model,
        new Checkpoint.Position(d.path("epoch").asInt(), d.path("step").asInt()),
        new Checkpoint.Carried(states, optimizerStates(fs, dir, d)),
        new Checkpoint.RunningSums(d.path("loss_sum").asDouble(), d.path("tokens").asLong(),
            d.path("norm_sum").asDouble(), d.path("clipped").asDouble()),
        new Checkpoint.History(doubles(d.path("perplexities")), doubles(d.path("val_perplexities"))));
  }

  /** The optimizers' states ({@code "optimizers": [names]}; none before they existed). */
  private static List<OptimizerState> optimizerStates(FileSystem fs, Path dir, JsonNode d) throws IOException {
    List<OptimizerState> states = new ArrayList<>();
    JsonNode names = d.path("optimizers");
    if (!names.isArray() || names.size() == 0) {
      return states;
    }
    byte[] raw = ModelStore.readAll(fs, new Path(dir, OPTIMIZER_FILE));
    if (!ModelStore.sha256(raw).equals(d.path("optimizer_sha256").asText())) {
      throw new ModelFormatException(OPTIMIZER_FILE + " does not match its SHA-256 in " + STATE_FILE);
    }
    ByteArrayInputStream in = new ByteArrayInputStream(raw);
    for (JsonNode name : names) {
      OptimizerState o = OptimizerState.readFrom(in);
      if (!o.optimizer().equals(name.asText())) {
        throw new ModelFormatException(OPTIMIZER_FILE + " holds " + o.optimizer() + " where "
            + STATE_FILE + " lists " + name.asText());
      }
      states.add(o);
    }
    if (in.available() > 0) {
      throw new ModelFormatException(OPTIMIZER_FILE + " has " + in.available() + " bytes after its states");
    }
    return states;
  }

  private static byte[] describe(Checkpoint c, String statesSha256, String optimizerSha256)
      throws IOException {
    ObjectNode d = JSON.createObjectNode();
    d.put("epoch", c.epoch());
    d.put("step", c.step());
    // Sums are stored exactly: Jackson writes doubles with full round-trip precision.
    d.put("loss_sum", c.lossSum());
    d.put("tokens", c.tokens());
    d.put("norm_sum", c.normSum());
    d.put("clipped", c.clipped());
    ArrayNode lengths = d.putArray("state_lengths");
    if (c.states() != null) {
      for (float[] s : c.states()) {
        lengths.add(s.length);
      }
    }
    d.put("states_sha256", statesSha256);
    if (!c.carried().optimizers().isEmpty()) {
      ArrayNode names = d.putArray("optimizers");
      c.carried().optimizers().forEach(o -> names.add(o.optimizer()));
      d.put("optimizer_sha256", optimizerSha256);
    }
    c.perplexities().forEach(d.putArray("perplexities")::add);
    c.valPerplexities().forEach(d.putArray("val_perplexities")::add);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(d);
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asDouble()));
    return out;
  }

  private static float[] flatten(float[][] parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] flat = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, flat, at, p.length);
      at += p.length;
    }
    return flat;
  }

  private static List<Path> committed(FileSystem fs, Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!fs.exists(root)) {
      return out;
    }
    for (FileStatus st : fs.listStatus(root)) {
      if (st.isDirectory() && st.getPath().getName().startsWith(PREFIX)) {
        out.add(st.getPath());
      }
    }
    out.sort(Comparator.comparing((Path p) -> p.getName()).reversed());
    return out;
  }

  private static void prune(FileSystem fs, Path root, int keep) throws IOException {
    List<Path> all = committed(fs, root);
    for (int i = Math.max(1, keep); i < all.size(); i++) {
      fs.delete(all.get(i), true);
    }
  }
}
