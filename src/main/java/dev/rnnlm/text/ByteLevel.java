package dev.rnnlm.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 byte-level text handling, matching Hugging Face's {@code ByteLevel} pre-tokenizer with
 * {@code use_regex: true, add_prefix_space: false}: text is split into pre-tokens by the GPT-2
 * pattern, and each pre-token's UTF-8 bytes are spelled with one printable character per byte
 * (GPT-2's {@code bytes_to_unicode}), so every string has a spelling over a 256-character
 * alphabet and a byte-level BPE never needs an unknown token.
 */
public final class ByteLevel {
  /** Number of distinct byte characters; byte {@code b} has base token id {@code b}. */
  public static final int ALPHABET_SIZE = 256;

  private static final Pattern GPT2_SPLIT = Pattern.compile(
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
      Pattern.UNICODE_CHARACTER_CLASS);

  private static final char[] BYTE_TO_CHAR = new char[ALPHABET_SIZE];
  private static final int[] CHAR_TO_BYTE;

  static {
    int next = ALPHABET_SIZE;
    for (int b = 0; b < ALPHABET_SIZE; b++) {
      BYTE_TO_CHAR[b] = printsAsItself(b) ? (char) b : (char) next++;
    }
    CHAR_TO_BYTE = new int[next];
    Arrays.fill(CHAR_TO_BYTE, -1);
    for (int b = 0; b < ALPHABET_SIZE; b++) {
      CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }
  }

  private ByteLevel() {}

  private static boolean printsAsItself(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  /**
   * Splits {@code text} into GPT-2 pre-tokens (letters, digits, other symbols, each with at
   * most one leading space; English contractions; whitespace runs, where a run followed by a
   * non-space leaves its last space to the next pre-token) and passes each, unmapped, to
   * {@code out} in order. The pre-tokens concatenate back to {@code text}.
   */
  public static void preTokenize(String text, Consumer<String> out) {
    Matcher m = GPT2_SPLIT.matcher(text);
    while (m.find()) {
      out.accept(m.group());
    }
  }

  /** The UTF-8 bytes of {@code piece}, one byte character each (space is 'Ġ', '\n' is 'Ċ'). */
  public static String toByteChars(String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    char[] chars = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(chars);
  }

  /** The character standing for byte {@code b} (0..255, or a signed byte value). */
  public static char byteChar(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte (0..255) that {@code c} stands for, or -1 if {@code c} is not a byte character. */
  public static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /**
   * The bytes spelled by {@code byteChars}; the inverse of {@link #toByteChars} (decode them as
   * UTF-8 to get the text back).
   *
   * @throws IllegalArgumentException if a character is not a byte character
   */
  public static byte[] toBytes(String byteChars) {
    byte[] bytes = new byte[byteChars.length()];
    for (int i = 0; i < bytes.length; i++) {
      int b = byteOf(byteChars.charAt(i));
      if (b < 0) {
        throw new IllegalArgumentException(String.format(
            "not a byte character: U+%04X at index %d", (int) byteChars.charAt(i), i));
      }
      bytes[i] = (byte) b;
    }
    return bytes;
  }
}
