package dev.rnnlm.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hugging Face {@code tokenizer.json}, encoding and decoding through the Hugging Face
 * tokenizers library (its Rust code, through DJL's Java binding): the ids are the tokenizer's
 * own, so a model pairs with the same file wherever that library runs.
 *
 * <p>Serializable as the file's bytes; each JVM loads the library's tokenizer once per distinct
 * file and shares it between threads. Truncation, padding and special tokens the file may ask
 * for are turned off: a corpus line is encoded whole and nothing is added to it.
 */
public final class SubwordTokenizer implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Loaded tokenizers by the SHA-256 of their file: one per JVM and file. */
  private static final Map<String, HuggingFaceTokenizer> LOADED = new ConcurrentHashMap<>();
  private static final Map<String, String> ENCODE_AS_IS =
      Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false");

  private final byte[] json;
  private final String sha256;
  private final List<String> tokens;
  private final boolean byteLevel;

  private SubwordTokenizer(byte[] json, String sha256, List<String> tokens, boolean byteLevel) {
    this.json = json;
    this.sha256 = sha256;
    this.tokens = tokens;
    this.byteLevel = byteLevel;
  }

  /**
   * Reads a tokenizer.json and loads it into the library to check it.
   *
   * @param source where it came from, named in errors
   * @throws IllegalArgumentException naming {@code source} when the file is not a tokenizer
   *     the library can load
   */
  public static SubwordTokenizer of(byte[] json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a Hugging Face tokenizer.json: " + source
          + " (invalid JSON: " + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read tokenizer " + source + ": " + e.getMessage());
    }
    if (root == null || !root.path("model").path("vocab").isObject()) {
      throw new IllegalArgumentException("not a Hugging Face tokenizer.json: " + source
          + " (no model.vocab object: a tokenizer the library saved has one)");
    }
    List<String> tokens = tokensInIdOrder(root, source);
    boolean byteLevel = "ByteLevel".equals(root.path("decoder").path("type").asText());
    SubwordTokenizer t = new SubwordTokenizer(json.clone(), sha256(json), tokens, byteLevel);
    t.library(source);
    return t;
  }

  /** The file's bytes, as given: what a model directory keeps. */
  public byte[] json() {
    return json.clone();
  }

  /** Tokens in id order (model.vocab and added_tokens); an id the file leaves unused is "&lt;unused:ID&gt;". */
  public List<String> tokens() {
    return tokens;
  }

  /** The ids of {@code text}, exactly as the library encodes it, nothing added. */
  public int[] encode(String text) {
    long[] ids = library(null).encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** The text of {@code ids}, as the library's decoder writes it (special tokens kept). */
  public String decode(List<Integer> ids) {
    long[] longs = new long[ids.size()];
    for (int i = 0; i < longs.length; i++) {
      longs[i] = ids.get(i);
    }
    return library(null).decode(longs, false);
  }

  /**
   * The bytes of text each id stands for: for a byte-level tokenizer (GPT-2's kind, and the one
   * {@code --tokens bpe} learns) the token's bytes exactly; otherwise the UTF-8 length of the
   * token decoded alone.
   */
  public int[] tokenBytes() {
    int[] bytes = new int[tokens.size()];
    for (int id = 0; id < bytes.length; id++) {
      String token = tokens.get(id);
      bytes[id] = byteLevel && isByteChars(token) ? token.length()
          : decode(List.of(id)).getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes;
  }

  /** Whether every character of {@code token} stands for one byte ({@link ByteLevel}). */
  private static boolean isByteChars(String token) {
    for (int i = 0; i < token.length(); i++) {
      if (ByteLevel.byteOf(token.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The library's tokenizer for this file, loaded once per JVM. */
  private HuggingFaceTokenizer library(String source) {
    return LOADED.computeIfAbsent(sha256, k -> {
      try {
        return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), ENCODE_AS_IS);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("the Hugging Face tokenizers library cannot load "
            + (source == null ? "the tokenizer" : source) + ": " + e.getMessage());
      }
    });
  }

  private static List<String> tokensInIdOrder(JsonNode root, String source) {
    TreeMap<Integer, String> byId = new TreeMap<>();
    root.path("model").path("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(-1), e.getKey()));
    for (JsonNode added : root.path("added_tokens")) {
      byId.put(added.path("id").asInt(-1), added.path("content").asText());
    }
    if (byId.isEmpty() || byId.firstKey() < 0) {
      throw new IllegalArgumentException("not a Hugging Face tokenizer.json: " + source
          + " (a vocabulary entry without a non-negative id)");
    }
    int size = byId.lastKey() + 1;
    String[] tokens = new String[size];
    byId.forEach((id, token) -> tokens[id] = token);
    List<String> out = new ArrayList<>(size);
    for (int id = 0; id < size; id++) {
      out.add(tokens[id] != null ? tokens[id] : "<unused:" + id + ">");
    }
    return List.copyOf(out);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubwordTokenizer other && sha256.equals(other.sha256);
  }

  @Override
  public int hashCode() {
    return sha256.hashCode();
  }

  @Override
  public String toString() {
    return "tokenizer.json " + sha256.substring(0, 12) + " (" + tokens.size() + " tokens)";
  }
}
