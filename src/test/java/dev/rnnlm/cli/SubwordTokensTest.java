package dev.rnnlm.cli;

import static dev.rnnlm.cli.CliErrorsTest.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.TokenShard;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subword tokens end to end: a BPE learned from the training text, and GPT-2's tokenizer.json
 * given with --tokenizer; training, generation and evaluation through the tokenizer, and the
 * errors a careless user meets.
 */
class SubwordTokensTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;

  private static Path bpeModel;
  private static CliRun bpeTraining;

  @BeforeAll
  static void trainABpeModel() {
    bpeModel = work.resolve("bpe");
    bpeTraining = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(), "--model", bpeModel.toString(),
        "--tokens", "bpe", "--vocab-size", "400", "--embedding", "16", "--hidden", "32", "--epochs", "2",
        "--batch", "8", "--steps", "10", "--val-fraction", "0.1", "--sample-every", "1", "--seed", "3");
  }

  @Test
  void aLearnedBpeIsWrittenAsTheModelsTokenizerJson() throws IOException {
    assertEquals(0, bpeTraining.exitCode(), bpeTraining.err() + bpeTraining.out());
    assertTrue(bpeTraining.out().contains("bpe: learned 144 merges"), bpeTraining.out());
    JsonNode model = JSON.readTree(bpeModel.resolve("model.json").toFile());
    assertEquals(5, model.path("version").asInt());
    assertEquals("tokenizer.json", model.path("text").path("tokenizer").asText());
    JsonNode tokenizer = JSON.readTree(bpeModel.resolve("tokenizer.json").toFile());
    assertEquals(400, tokenizer.path("model").path("vocab").size());
    assertEquals(144, tokenizer.path("model").path("merges").size());
    assertEquals(400, model.path("vocab_size").asInt());
  }

  @Test
  void epochsReportBitsPerByteOnTheLineAndInTheMetrics() throws IOException {
    assertEquals(0, bpeTraining.exitCode(), bpeTraining.err());
    List<String> epochs = bpeTraining.out().lines().filter(l -> l.startsWith("epoch ")).toList();
    assertEquals(2, epochs.size(), bpeTraining.out());
    for (String line : epochs) {
      assertTrue(line.matches("^epoch \\d .* val_perplexity [0-9.]+ bits_per_byte [0-9.]+ val_bits_per_byte [0-9.]+$"), line);
    }
    for (String line : Files.readAllLines(bpeModel.resolve(ModelStore.METRICS_FILE))) {
      JsonNode m = JSON.readTree(line);
      double perToken = Math.log(m.path("perplexity").asDouble());
      double bits = m.path("bits_per_byte").asDouble();
      // A byte-level BPE of English text: between one byte and a word per token.
      double bytesPerToken = perToken / Math.log(2) / bits;
      assertTrue(bytesPerToken > 1.5 && bytesPerToken < 6, line);
      assertTrue(m.path("val_bits_per_byte").asDouble() > 0, line);
    }
  }

  @Test
  void generatedTextIsDecodedBytesNotTokenMarkers() {
    assertEquals(0, bpeTraining.exitCode(), bpeTraining.err());
    CliRun run = CliRun.of("generate", "--model", bpeModel.toString(), "--prefix", "The lighthouse",
        "--length", "40", "--num-samples", "3", "--temperature", "0.8", "--seed", "1");
    assertEquals(0, run.exitCode(), run.err());
    assertFalse(run.out().isBlank());
    assertFalse(run.out().contains("\u0120") || run.out().contains("\u010a"), run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.contains("The lighthouse")), run.out());
    String sample = bpeTraining.out().lines().filter(l -> l.startsWith("sample: ")).findFirst().orElseThrow();
    assertFalse(sample.contains("\u0120"), sample);

    // --stop-at cuts the decoded text right after the first occurrence in the generated part.
    CliRun stopped = CliRun.of("generate", "--model", bpeModel.toString(), "--prefix", "The lighthouse",
        "--length", "60", "--temperature", "0.8", "--seed", "2", "--stop-at", "e");
    assertEquals(0, stopped.exitCode(), stopped.err());
    String text = stopped.out().substring(0, stopped.out().length() - 1); // println's line break
    String generated = text.substring("The lighthouse".length());
    assertTrue(generated.indexOf('e') == generated.length() - 1, text);
  }

  @Test
  void evaluateReportsBitsPerByteBeforeItsLastLine() {
    assertEquals(0, bpeTraining.exitCode(), bpeTraining.err());
    CliRun run = CliRun.of("evaluate", "--model", bpeModel.toString(), "--input",
        SparkTestContext.sampleData().resolve("clockmaker.txt").toString());
    assertEquals(0, run.exitCode(), run.err());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.get(lines.size() - 2).matches("bits per byte [0-9.]+ \\([0-9.]+ bytes of text per token\\)"),
        run.out());
    assertTrue(lines.get(lines.size() - 1).startsWith("scored "), run.out());
  }

  /**
   * The model directory's tokenizer.json, loaded by the library itself, encodes a text it never
   * saw to exactly the ids this project reads from it: each line with its line break.
   */
  @Test
  void theWrittenTokenizerEncodesHeldOutTextToTheIdsTrainingUses() throws IOException {
    assertEquals(0, bpeTraining.exitCode(), bpeTraining.err());
    String heldOut = "A lighthouse keeper's log, 1898:\n  Wind NNE, 42 knots \u2014 caf\u00e9 closed.\n\n"
        + "\u00bfQu\u00e9? \u00dcber-strange \ud83d\ude00 tokens\t\ttabs\n";
    Path text = Files.writeString(work.resolve("held-out.txt"), heldOut);
    SavedModel saved = new ModelStore(new Configuration()).load(bpeModel.toString());
    int[] read;
    try (EncodedCorpus corpus = EncodedCorpus.read(SparkTestContext.get(), CorpusSource.files(text.toString()),
        saved.text(), null, 0, 0)) {
      TokenShard all = corpus.layout(new long[][] {{0, corpus.tokens()}}).first();
      read = new int[(int) corpus.tokens()];
      for (int i = 0; i < read.length; i++) {
        read[i] = all.get(i);
      }
    }
    List<Long> expected = new ArrayList<>();
    try (HuggingFaceTokenizer library = HuggingFaceTokenizer.newInstance(
        new ByteArrayInputStream(Files.readAllBytes(bpeModel.resolve("tokenizer.json"))),
        Map.of("addSpecialTokens", "false"))) {
      for (String line : heldOut.split("\n")) {
        for (long id : library.encode(line + "\n", false, false).getIds()) {
          expected.add(id);
        }
      }
    }
    assertArrayEquals(expected.stream().mapToInt(Long::intValue).toArray(), read);
  }

  @Test
  void gpt2sTokenizerJsonTrainsAndGenerates() throws IOException {
    Path tokenizer = work.resolve("gpt2").resolve("tokenizer.json");
    Files.createDirectories(tokenizer.getParent());
    try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/tokenizers/gpt2-tokenizer.json.gz"))) {
      Files.write(tokenizer, in.readAllBytes());
    }
    Path model = work.resolve("gpt2-model");
    CliRun train = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(), "--model", model.toString(),
        "--tokenizer", tokenizer.toString(), "--embedding", "16", "--hidden", "16", "--tie-weights",
        "--epochs", "1", "--batch", "4", "--steps", "10", "--max-tokens", "2000", "--sample-every", "0");
    assertEquals(0, train.exitCode(), train.err() + train.out());
    assertArrayEquals(Files.readAllBytes(tokenizer), Files.readAllBytes(model.resolve("tokenizer.json")));
    JsonNode json = JSON.readTree(model.resolve("model.json").toFile());
    assertEquals("tokenizer", json.path("text").path("tokens").asText());
    assertEquals(50257, json.path("vocab_size").asInt());

    CliRun generate = CliRun.of("generate", "--model", model.toString(), "--prefix", "Hello world", "--length", "20");
    assertEquals(0, generate.exitCode(), generate.err());
    assertTrue(generate.out().startsWith("Hello world"), generate.out());
    assertFalse(generate.out().contains("\u0120"), generate.out());

    Path export = work.resolve("export").resolve("model.safetensors");
    CliRun exported = CliRun.of("export", "--model", model.toString(), "--out", export.toString());
    assertEquals(0, exported.exitCode(), exported.err());
    assertArrayEquals(Files.readAllBytes(tokenizer), Files.readAllBytes(export.resolveSibling("tokenizer.json")));

    Path onnx = work.resolve("onnx-export").resolve("model.onnx");
    CliRun onnxRun = CliRun.of("export", "--model", model.toString(), "--format", "onnx", "--out", onnx.toString());
    assertEquals(0, onnxRun.exitCode(), onnxRun.err());
    assertTrue(onnxRun.out().startsWith("wrote " + onnx + " ("), onnxRun.out());
    assertTrue(Files.size(onnx) > 50257 * 16 * 4, "ONNX model of " + Files.size(onnx) + " bytes");
    assertTrue(Files.exists(onnx.resolveSibling("model.vocab.json")));
    assertArrayEquals(Files.readAllBytes(tokenizer), Files.readAllBytes(onnx.resolveSibling("tokenizer.json")));
  }

  @Test
  void badTokenizerOptionsGetOneLineEach() throws IOException {
    String in = SparkTestContext.sampleData().toString();
    String m = work.resolve("refused").toString();
    String missing = work.resolve("no-such-tokenizer.json").toString();
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokenizer", missing},
        "--tokenizer: file does not exist", missing);
    Path broken = Files.writeString(work.resolve("broken.json"), "{\"model\": {\"vocab\": ");
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokenizer", broken.toString()},
        "not a Hugging Face tokenizer.json", broken.toString());
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokens", "bpe"},
        "--tokens bpe needs --vocab-size N", "got 0");
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokens", "bpe", "--vocab-size", "100"},
        "256 <= N", "got 100");
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokenizer", broken.toString(),
        "--min-freq", "2"}, "--min-freq cannot be used with --tokenizer");
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokens", "word", "--vocab-size", "500"},
        "--vocab-size is the size of a learned BPE");
    assertFailsWith(new String[] {"train", "--input", in, "--model", m, "--tokens", "bpe", "--vocab-size", "60000",
        "--embedding", "8", "--hidden", "8"}, "--vocab-size 60000", "yields only", "merges");
    // The memory check for the vocabulary asked for runs before the learning, not after it.
    CliRun tooLarge = CliRun.of("train", "--input", in, "--model", m, "--tokens", "bpe", "--vocab-size", "1000000",
        "--embedding", "1024", "--hidden", "1024");
    assertNotEquals(0, tooLarge.exitCode());
    assertTrue(tooLarge.err().contains("not enough memory") && tooLarge.err().contains("a smaller --vocab-size"),
        tooLarge.err());
    assertFalse(tooLarge.out().contains("bpe:"), tooLarge.out());
    assertFalse(Files.exists(work.resolve("refused").resolve("model.json")));
  }
}
