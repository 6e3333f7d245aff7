package dev.rnnlm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelTest {

  private static List<String> preTokens(String text) {
    List<String> out = new ArrayList<>();
    ByteLevel.preTokenize(text, out::add);
    return out;
  }

  @Test
  void everyByteRoundTripsThroughItsOwnCharacter() {
    Set<Character> seen = new HashSet<>();
    byte[] all = new byte[256];
    StringBuilder spelled = new StringBuilder();
    for (int b = 0; b < 256; b++) {
      char c = ByteLevel.byteChar(b);
      assertEquals(b, ByteLevel.byteOf(c));
      assertEquals(c, ByteLevel.byteChar((byte) b), "signed byte " + (byte) b);
      seen.add(c);
      all[b] = (byte) b;
      spelled.append(c);
    }
    assertEquals(256, seen.size());
    assertArrayEquals(all, ByteLevel.toBytes(spelled.toString()));
  }

  @Test
  void printableBytesSpellThemselvesAndTheOthersCountUpFrom256() {
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      assertEquals(printable ? b : next++, ByteLevel.byteChar(b), "byte " + b);
    }
    assertEquals(256 + 68, next);
    assertEquals('Ġ', ByteLevel.byteChar(' '));
    assertEquals('\u0120', ByteLevel.byteChar(0x20));
    assertEquals('Ċ', ByteLevel.byteChar('\n'));
    assertEquals('\u010A', ByteLevel.byteChar(0x0A));
    assertEquals("aĠbĊ", ByteLevel.toByteChars("a b\n"));
  }

  @Test
  void nonAsciiTextIsSpelledByItsUtf8Bytes() {
    String text = " café — 日本 🙂";
    String spelled = ByteLevel.toByteChars(text);
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, spelled.length());
    assertEquals("ĠcafÃ©", ByteLevel.toByteChars(" café"));
    assertEquals(text, new String(ByteLevel.toBytes(spelled), StandardCharsets.UTF_8));
  }

  @Test
  void charactersThatSpellNoByteAreRejected() {
    assertEquals(-1, ByteLevel.byteOf(' '));
    assertEquals(-1, ByteLevel.byteOf('\n'));
    assertEquals(-1, ByteLevel.byteOf((char) (256 + 68)));
    assertEquals(-1, ByteLevel.byteOf('日'));
    assertThrows(IllegalArgumentException.class, () -> ByteLevel.toBytes("ab c"));
  }

  @Test
  void preTokensAreTheGpt2Splits() {
    assertEquals(
        List.of("Hello", " world", "'s", " ", " test", "\n\n ", " x", " 123", "abc", "!!"),
        preTokens("Hello world's  test\n\n  x 123abc!!"));
    assertEquals(List.of("I", "'m", " you", "'ll", " they", "'", "RE", " don", "'t"),
        preTokens("I'm you'll they'RE don't"));
    assertEquals(List.of("  ", " a", ",", " b", "...", "\n"), preTokens("   a, b...\n"));
    assertEquals(List.of(" café", " 日本", " 42", "%", " 🙂"), preTokens(" café 日本 42% 🙂"));
    assertEquals(List.of("a", "\u00A0", "b", "\t", " c", " \u3000"), preTokens("a\u00A0b\t c \u3000"));
    assertEquals(List.of(), preTokens(""));
  }

  @Test
  void preTokensConcatenateBackToTheText() {
    Random random = new Random(7);
    String alphabet = "ab Z9'.\n\t\u00A0é日🙂-";
    int[] codePoints = alphabet.codePoints().toArray();
    for (int trial = 0; trial < 200; trial++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(30); i > 0; i--) {
        text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
      }
      StringBuilder joined = new StringBuilder();
      ByteLevel.preTokenize(text.toString(), piece -> {
        assertEquals(false, piece.isEmpty());
        joined.append(piece);
      });
      assertEquals(text.toString(), joined.toString());
    }
  }
}
