package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.Tensor;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported file, read back by the safetensors specification and independently of the
 * writer: u64 header size, JSON header, contiguous little-endian float32 tensors.
 */
class SafetensorsWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TOKENS =
      List.of("<unk>", " ", "e", "\n", "\"", "é", "\\", "t", "日", "\t", "😀");
  private static final int V = TOKENS.size();
  private static final int H = 7;

  @TempDir
  Path work;

  /** A model with random parameters (and a few special float values), saved and loaded back. */
  private SavedModel model(long seed, Normalizer normalize, Tokenizer tokens) throws IOException {
    int count = V * H + H * H + H + H * V + V;
    float[] params = new float[count];
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      params[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
    }
    params[0] = -0.0f;
    params[1] = Float.MIN_VALUE;
    params[2] = Float.MAX_VALUE;
    params[count - 1] = -Float.MIN_NORMAL;
    Map<String, String> training = new LinkedHashMap<>();
    training.put("epochs", "3");
    training.put("hidden", Integer.toString(H));
    SavedModel m = new SavedModel(Architecture.rnn(H),
        new TextPipeline(normalize, tokens), Vocabulary.ofTokens(TOKENS), params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(3, 42, 12345), training, Map.of("input", "memory")));
    String dir = work.resolve("model-" + seed).toString();
    new ModelStore(new Configuration()).save(dir, m);
    return new ModelStore(new Configuration()).load(dir);
  }

  private static SafetensorsWriter writer() {
    return new SafetensorsWriter(new Configuration());
  }

  /** A tensor as the spec describes it, read from the file. */
  private record Read(String name, String dtype, int[] shape, long begin, long end, float[] values) {}

  /** The file parsed by the spec: header entries in offset order, each with its floats. */
  private record Parsed(JsonNode metadata, List<Read> tensors) {}

  private static Parsed parse(byte[] file) throws CharacterCodingException, IOException {
    assertTrue(file.length >= 8, "file holds the header size");
    long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertTrue(n > 0 && 8 + n <= file.length, "header size " + n + " within file of " + file.length);
    assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned, header size " + n);
    String header = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(file, 8, (int) n)).toString();
    assertTrue(header.startsWith("{"), header);
    String json = header.stripTrailing();
    assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '),
        "header padded with spaces only");
    assertTrue(json.endsWith("}"), json);
    JsonNode root = JSON.readTree(json);
    assertTrue(root.isObject());

    int dataStart = (int) (8 + n);
    int dataLength = file.length - dataStart;
    JsonNode metadata = null;
    List<Read> tensors = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        metadata = e.getValue();
        continue;
      }
      JsonNode t = e.getValue();
      assertEquals(3, t.size(), "dtype, shape, data_offsets only: " + t);
      JsonNode shapeNode = t.get("shape");
      int[] shape = new int[shapeNode.size()];
      long elements = 1;
      for (int i = 0; i < shape.length; i++) {
        assertTrue(shapeNode.get(i).isIntegralNumber());
        shape[i] = shapeNode.get(i).asInt();
        elements *= shape[i];
      }
      JsonNode offsets = t.get("data_offsets");
      assertEquals(2, offsets.size());
      long begin = offsets.get(0).asLong();
      long end = offsets.get(1).asLong();
      assertTrue(0 <= begin && begin <= end && end <= dataLength, e.getKey() + " offsets " + offsets);
      assertEquals(elements * 4, end - begin, e.getKey() + ": bytes = 4 * product of shape");
      float[] values = new float[(int) elements];
      ByteBuffer data = ByteBuffer.wrap(file, dataStart + (int) begin, (int) (end - begin))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < values.length; i++) {
        values[i] = data.getFloat();
      }
      tensors.add(new Read(e.getKey(), t.get("dtype").asText(), shape, begin, end, values));
    }
    tensors.sort((a, b) -> Long.compare(a.begin(), b.begin()));
    long expected = 0;
    for (Read r : tensors) {
      assertEquals(expected, r.begin(), r.name() + " follows the previous tensor without a gap");
      expected = r.end();
    }
    assertEquals(dataLength, expected, "the tensors fill the byte buffer exactly");
    return new Parsed(metadata, tensors);
  }

  @Test
  void everyTensorReadsBackExactlyBySpec() throws IOException {
    SavedModel m = model(7, Normalizer.LOWER, Tokenizer.CHAR);
    Path out = work.resolve("out").resolve("model.safetensors");
    SafetensorsWriter.Exported written = writer().write(m, out.toString());
    byte[] file = Files.readAllBytes(out);
    assertEquals(file.length, written.bytes());

    Parsed parsed = parse(file);
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("W_xh", new int[] {V, H});
    shapes.put("W_hh", new int[] {H, H});
    shapes.put("b_h", new int[] {H});
    shapes.put("W_hq", new int[] {H, V});
    shapes.put("b_q", new int[] {V});
    assertEquals(List.copyOf(shapes.keySet()), parsed.tensors().stream().map(Read::name).toList(),
        "the five tensors, in layout order");
    int total = 0;
    for (Read r : parsed.tensors()) {
      assertEquals("F32", r.dtype(), r.name());
      assertArrayEquals(shapes.get(r.name()), r.shape(), r.name());
      Tensor t = m.model().layout().tensor(r.name());
      assertEquals(t.size(), r.values().length, r.name());
      for (int i = 0; i < r.values().length; i++) {
        int want = Float.floatToRawIntBits(m.params()[t.offset() + i]);
        int got = Float.floatToRawIntBits(r.values()[i]);
        assertEquals(want, got, r.name() + "[" + i + "]");
      }
      total += r.values().length;
    }
    assertEquals(m.params().length, total);
    // Row-major: W_xh[row 3, col 2] is the float at 3 * H + 2 of that tensor.
    Read wxh = parsed.tensors().get(0);
    assertEquals(m.params()[3 * H + 2], wxh.values()[3 * H + 2]);

    JsonNode meta = parsed.metadata();
    assertTrue(meta != null && meta.isObject(), "__metadata__ present");
    meta.fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(),
        "metadata values are strings: " + e.getKey()));
    assertEquals("spark-rnn-lm", meta.get("format").asText());
    assertEquals(Integer.toString(ModelStore.VERSION_WITHOUT_TOKENIZER), meta.get("format_version").asText());
    assertEquals("1", meta.get("layers").asText());
    assertEquals("rnn", meta.get("cell").asText());
    assertEquals(Integer.toString(H), meta.get("hidden").asText());
    assertEquals(Integer.toString(V), meta.get("vocab_size").asText());
    assertEquals("lower", meta.get("normalize").asText());
    assertEquals("char", meta.get("tokens").asText());
    assertEquals("model.vocab.json", meta.get("vocabulary").asText());
    assertEquals("3", meta.get("epochs").asText());
    assertEquals("42", meta.get("steps").asText());
  }

  @Test
  void vocabularyJsonListsTokensInIdOrder() throws IOException {
    SavedModel m = model(3, Normalizer.D2L, Tokenizer.WORD);
    Path out = work.resolve("m.safetensors");
    SafetensorsWriter.Exported written = writer().write(m, out.toString());
    Path vocab = work.resolve("m.vocab.json");
    assertEquals(vocab.toString(), written.vocabularyFile());
    JsonNode v = JSON.readTree(Files.readAllBytes(vocab));
    List<String> tokens = new ArrayList<>();
    v.get("tokens").forEach(t -> tokens.add(t.asText()));
    assertEquals(TOKENS, tokens);
    assertEquals("<unk>", v.get("unk").asText());
    assertEquals("d2l", v.get("normalize").asText());
    assertEquals("word", v.get("tokens_mode").asText());
  }

  @Test
  void vocabularyFileNameReplacesTheSafetensorsExtensionOrIsAppended() {
    assertEquals("out/model.vocab.json", SafetensorsWriter.vocabularyPath("out/model.safetensors"));
    assertEquals("model.vocab.json", SafetensorsWriter.vocabularyPath("model.safetensors"));
    assertEquals("/a/M.vocab.json", SafetensorsWriter.vocabularyPath("/a/M.SafeTensors"));
    assertEquals("out/model.bin.vocab.json", SafetensorsWriter.vocabularyPath("out/model.bin"));
    assertEquals("out/model.vocab.json", SafetensorsWriter.vocabularyPath("out/model"));
    assertEquals("out/.safetensors.vocab.json", SafetensorsWriter.vocabularyPath("out/.safetensors"));
    assertEquals("hdfs://nn:8020/x/m.vocab.json",
        SafetensorsWriter.vocabularyPath("hdfs://nn:8020/x/m.safetensors"));
  }

  @Test
  void exportReplacesEarlierFilesAndLeavesNothingElseBehind() throws IOException {
    Path dir = work.resolve("exports");
    Path out = dir.resolve("m.safetensors");
    writer().write(model(1, Normalizer.NONE, Tokenizer.CHAR), out.toString());
    SavedModel second = model(2, Normalizer.NONE, Tokenizer.CHAR);
    writer().write(second, out.toString());
    Parsed parsed = parse(Files.readAllBytes(out));
    Tensor bq = second.model().layout().tensor("b_q");
    float[] want = new float[bq.size()];
    System.arraycopy(second.params(), bq.offset(), want, 0, want.length);
    assertArrayEquals(want, parsed.tensors().get(4).values(), "the second model's b_q");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("m.safetensors", "m.vocab.json"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary or .crc files");
    }
  }

  @Test
  void aDirectoryAsOutputIsRefusedByName() throws IOException {
    Path dir = Files.createDirectories(work.resolve("taken.safetensors"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> writer().write(model(4, Normalizer.NONE, Tokenizer.CHAR), dir.toString()));
    assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("directory"),
        e.getMessage());
  }
}
