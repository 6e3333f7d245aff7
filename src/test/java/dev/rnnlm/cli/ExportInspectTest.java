package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} and {@code inspect} through the CLI entry point, on a tiny trained model. */
class ExportInspectTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HIDDEN = 16;

  @TempDir
  static Path work;
  private static Path model;
  private static int vocabSize;

  @BeforeAll
  static void trainTinyModel() throws IOException {
    model = work.resolve("model");
    CliRun training = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--epochs", "2", "--hidden", Integer.toString(HIDDEN),
        "--max-tokens", "3000", "--batch", "4", "--steps", "8", "--sample-every", "0");
    assertEquals(0, training.exitCode(), training.err());
    vocabSize = JSON.readTree(model.resolve("vocab.json").toFile()).size();
  }

  private static void assertOneErrorLine(CliRun run, String... fragments) {
    assertNotEquals(0, run.exitCode());
    String err = run.err().strip();
    assertEquals(1, err.lines().count(), "one error line, got: " + err);
    for (String f : fragments) {
      assertTrue(err.contains(f), "'" + f + "' in: " + err);
    }
  }

  @Test
  void exportWritesSafetensorsAndVocabularyBesideIt() throws IOException {
    Path out = work.resolve("exported").resolve("tiny.safetensors");
    CliRun run = CliRun.of("export", "--model", model.toString(), "--format", "safetensors",
        "--out", out.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("", run.err());
    Path vocab = work.resolve("exported").resolve("tiny.vocab.json");
    assertTrue(Files.isRegularFile(out) && Files.isRegularFile(vocab), run.out());
    assertTrue(run.out().contains(out.toString()) && run.out().contains(vocab.toString()), run.out());

    byte[] file = Files.readAllBytes(out);
    long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = JSON.readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8));
    int params = vocabSize * HIDDEN + HIDDEN * HIDDEN + HIDDEN + HIDDEN * vocabSize + vocabSize;
    assertEquals(8 + n + 4L * params, file.length, "header plus every float32 parameter");
    assertEquals(List.of(vocabSize, HIDDEN), ints(header.path("W_xh").path("shape")));
    assertEquals(List.of(HIDDEN, HIDDEN), ints(header.path("W_hh").path("shape")));
    assertEquals(List.of(HIDDEN), ints(header.path("b_h").path("shape")));
    assertEquals(List.of(HIDDEN, vocabSize), ints(header.path("W_hq").path("shape")));
    assertEquals(List.of(vocabSize), ints(header.path("b_q").path("shape")));
    assertEquals("2", header.path("__metadata__").path("epochs").asText());

    JsonNode v = JSON.readTree(vocab.toFile());
    assertEquals(JSON.readTree(model.resolve("vocab.json").toFile()), v.get("tokens"));
  }

  @Test
  void exportWithoutFormatDefaultsToSafetensors() {
    Path out = work.resolve("default.safetensors");
    CliRun run = CliRun.of("export", "--model", model.toString(), "--out", out.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(Files.isRegularFile(out) && Files.isRegularFile(work.resolve("default.vocab.json")));
  }

  @Test
  void anUnknownFormatIsNamedAndNothingIsWritten() {
    Path out = work.resolve("x.gguf");
    CliRun run = CliRun.of("export", "--model", model.toString(), "--format", "gguf", "--out", out.toString());
    assertEquals(Main.FAILED, run.exitCode());
    assertOneErrorLine(run, "--format", "'gguf'", "safetensors or torch or onnx");
    assertFalse(Files.exists(out));
    assertFalse(Files.exists(work.resolve("x.gguf.vocab.json")));
  }

  @Test
  void badModelDirectoriesFailAsGenerateDoes() throws IOException {
    String missing = work.resolve("no-such-model").toString();
    String notModel = Files.createDirectories(work.resolve("not-a-model")).toString();
    for (String dir : List.of(missing, notModel)) {
      CliRun generate = CliRun.of("generate", "--model", dir, "--prefix", "the");
      CliRun export = CliRun.of("export", "--model", dir, "--format", "safetensors",
          "--out", work.resolve("bad.safetensors").toString());
      CliRun inspect = CliRun.of("inspect", "--model", dir);
      assertOneErrorLine(export, dir);
      assertOneErrorLine(inspect, dir);
      assertEquals(generate.err(), export.err());
      assertEquals(generate.err(), inspect.err());
      assertEquals(Main.FAILED, export.exitCode());
      assertEquals(Main.FAILED, inspect.exitCode());
    }
    assertFalse(Files.exists(work.resolve("bad.safetensors")));
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    CliRun noOut = CliRun.of("export", "--model", model.toString());
    assertEquals(Main.USAGE, noOut.exitCode());
    assertOneErrorLine(noOut, "--out");
    CliRun noModel = CliRun.of("inspect");
    assertEquals(Main.USAGE, noModel.exitCode());
    assertOneErrorLine(noModel, "--model");
  }

  @Test
  void inspectDescribesTheModel() throws IOException {
    CliRun run = CliRun.of("inspect", "--model", model.toString());
    assertEquals(0, run.exitCode(), run.err());
    String out = run.out();
    int params = vocabSize * HIDDEN + HIDDEN * HIDDEN + HIDDEN + HIDDEN * vocabSize + vocabSize;
    assertTrue(out.contains("model: " + model + "\n"), out);
    assertTrue(out.contains("format: spark-rnn-lm v" + ModelStore.VERSION_WITHOUT_TOKENIZER + "\n"), out);
    assertTrue(out.contains("cell: rnn  hidden: " + HIDDEN + "  vocabulary: " + vocabSize + "\n"), out);
    assertTrue(out.contains("text: normalize none, tokens char\n"), out);
    assertTrue(out.contains("parameters: " + params + " (W_xh " + vocabSize + "x" + HIDDEN + ", W_hh "
        + HIDDEN + "x" + HIDDEN + ", b_h " + HIDDEN + ", W_hq " + HIDDEN + "x" + vocabSize + ", b_q "
        + vocabSize + ")\n"), out);
    JsonNode position = JSON.readTree(model.resolve("model.json").toFile()).path("position");
    assertTrue(out.contains("training: epochs 2, steps " + position.path("steps").asLong()
        + ", tokens seen " + position.path("tokens_seen").asLong() + "\n"), out);
    assertTrue(out.contains("options: ") && out.contains(" hidden=" + HIDDEN + " "), out);
    assertTrue(out.contains("vocabulary sample: '<unk>' ' ' "), out);
    assertTrue(out.contains("(first 20 of " + vocabSize + ")"), out);
    List<String> metrics = Files.readAllLines(model.resolve("metrics.jsonl"));
    assertEquals(2, metrics.size());
    assertTrue(out.contains("last metrics: " + metrics.get(1) + "\n"), out);
    assertTrue(metrics.get(1).startsWith("{\"epoch\":2,"), metrics.get(1));
  }

  @Test
  void inspectEscapesTokensAndSaysWhenThereAreNoMetrics() throws IOException {
    List<String> tokens = List.of("<unk>", "\n", "a", "it's", "\t");
    int hidden = 3;
    int count = tokens.size() * hidden * 2 + hidden * hidden + hidden + tokens.size();
    SavedModel m = new SavedModel(Architecture.rnn(hidden),
        new TextPipeline(Normalizer.NONE, Tokenizer.WORD), Vocabulary.ofTokens(tokens), new float[count],
        new SavedModel.Lineage(new SavedModel.TrainingPosition(0, 0, 0), Map.of(), Map.of()));
    String dir = work.resolve("untrained").toString();
    new ModelStore(new Configuration()).save(dir, m);
    CliRun run = CliRun.of("inspect", "--model", dir);
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("vocabulary sample: '<unk>' '\\n' 'a' 'it\\'s' '\\t'\n"), run.out());
    assertTrue(run.out().contains("parameters: " + count + " "), run.out());
    assertTrue(run.out().contains("last metrics: none"), run.out());
    assertTrue(run.out().contains("options: none\n"), run.out());
  }

  @Test
  void usageListsTheNewCommands() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode());
    assertTrue(run.out().contains("  export "), run.out());
    assertTrue(run.out().contains("  inspect "), run.out());
  }

  private static List<Integer> ints(JsonNode array) {
    Integer[] values = new Integer[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asInt();
    }
    return Arrays.asList(values);
  }
}
