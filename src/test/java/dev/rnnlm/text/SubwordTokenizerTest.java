package dev.rnnlm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** A Hugging Face tokenizer.json read through the library: GPT-2's, shipped as a test resource. */
class SubwordTokenizerTest {
  /** GPT-2's tokenizer.json (see src/test/resources/tokenizers/README.md). */
  static byte[] gpt2Json() {
    try (InputStream in = new GZIPInputStream(SubwordTokenizerTest.class.getResourceAsStream(
        "/tokenizers/gpt2-tokenizer.json.gz"))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SubwordTokenizer gpt2() {
    return SubwordTokenizer.of(gpt2Json(), "gpt2-tokenizer.json");
  }

  @Test
  void gpt2sTokenizerGivesGpt2sIds() {
    SubwordTokenizer t = gpt2();
    assertEquals(50257, t.tokens().size());
    assertEquals("<|endoftext|>", t.tokens().get(50256));
    // GPT-2: "Hello" 15496, " world" 995, "!" 0, "\n" 198.
    assertArrayEquals(new int[] {15496, 995, 0, 198}, t.encode("Hello world!\n"));
    assertEquals("Hello world!\n", t.decode(List.of(15496, 995, 0, 198)));
  }

  @Test
  void aLineLongerThanTheFilesTruncationIsEncodedWhole() {
    String line = "the quick brown fox jumps over the lazy dog ".repeat(40);
    int[] ids = gpt2().encode(line);
    assertTrue(ids.length > 300, "ids: " + ids.length); // the file asks for truncation at 50
    assertEquals(line, gpt2().decode(Arrays.stream(ids).boxed().toList()));
  }

  @Test
  void byteLevelTokensCountTheBytesOfTheirText() throws IOException {
    SubwordTokenizer t = gpt2();
    int[] bytes = t.tokenBytes();
    String text = "Caf\u00e9 au lait, \u20ac5 \u2014 \ud83d\ude00 done.\n"
        + java.nio.file.Files.readString(java.nio.file.Path.of("sample-data", "clockmaker.txt"));
    int[] ids = t.encode(text);
    assertTrue(Arrays.stream(ids).distinct().count() > 500, "distinct ids: " + Arrays.stream(ids).distinct().count());
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Arrays.stream(ids).map(id -> bytes[id]).sum());
  }

  @Test
  void aFileThatIsNotATokenizerIsRefusedNamingIt() {
    IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
        () -> SubwordTokenizer.of("{\"model\": [".getBytes(StandardCharsets.UTF_8), "/data/tok.json"));
    assertTrue(notJson.getMessage().startsWith("not a Hugging Face tokenizer.json: /data/tok.json (invalid JSON"),
        notJson.getMessage());
    IllegalArgumentException noVocab = assertThrows(IllegalArgumentException.class,
        () -> SubwordTokenizer.of("{\"model\": {\"type\": \"BPE\"}}".getBytes(StandardCharsets.UTF_8), "x.json"));
    assertTrue(noVocab.getMessage().contains("x.json (no model.vocab object"), noVocab.getMessage());
    IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
        () -> SubwordTokenizer.of(("{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}}")
            .getBytes(StandardCharsets.UTF_8), "y.json"));
    assertTrue(broken.getMessage().startsWith("the Hugging Face tokenizers library cannot load y.json: "),
        broken.getMessage());
  }
}
