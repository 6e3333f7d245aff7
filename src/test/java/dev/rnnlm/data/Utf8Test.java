package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Expected texts are Python's {@code bytes.decode('utf-8', 'replace')} (the reference's reader). */
class Utf8Test {

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static Utf8.Decoded decodeAll(byte[] b) {
    return Utf8.decode(b, b.length);
  }

  @Test
  void validUtf8DecodesWithoutReplacements() {
    String text = "plain ascii, caf\u00e9 \u20ac \u4e2d\u6587 \ud83d\ude00 and a literal \ufffd";
    Utf8.Decoded d = decodeAll(text.getBytes(StandardCharsets.UTF_8));
    assertEquals(text, d.text());
    assertEquals(0, d.replaced(), "a literal U+FFFD in valid input is not a replacement");

    Utf8.Decoded empty = Utf8.decode(new byte[0], 0);
    assertEquals("", empty.text());
    assertEquals(0, empty.replaced());
  }

  @Test
  void invalidBytesAreReplacedAndCountedExactly() {
    byte[] a = "a".getBytes(StandardCharsets.UTF_8);
    byte[] b = "b".getBytes(StandardCharsets.UTF_8);
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8); // E2 82 AC

    Utf8.Decoded ff = decodeAll(concat(a, bytes(0xFF), b));
    assertEquals("a\ufffdb", ff.text());
    assertEquals(1, ff.replaced());

    Utf8.Decoded twoFf = decodeAll(concat(bytes(0xFF, 0xFE), a, bytes(0xFF)));
    assertEquals("\ufffd\ufffda\ufffd", twoFf.text());
    assertEquals(3, twoFf.replaced());

    // Truncated multi-byte sequence at the end: one replacement for the incomplete sequence.
    Utf8.Decoded truncatedEnd = decodeAll(concat(a, bytes(0xE2, 0x82)));
    assertEquals("a\ufffd", truncatedEnd.text());
    assertEquals(1, truncatedEnd.replaced());

    // Truncated multi-byte sequence followed by ASCII, then a valid euro sign.
    Utf8.Decoded truncatedMid = decodeAll(concat(bytes(0xE2, 0x82), b, euro));
    assertEquals("\ufffdb\u20ac", truncatedMid.text());
    assertEquals(1, truncatedMid.replaced());

    // Truncated 4-byte sequence (first three bytes of U+1F600).
    Utf8.Decoded truncatedFour = decodeAll(bytes(0xF0, 0x9F, 0x98));
    assertEquals("\ufffd", truncatedFour.text());
    assertEquals(1, truncatedFour.replaced());

    // Overlong encodings of NUL: every byte is malformed.
    Utf8.Decoded overlong2 = decodeAll(bytes(0xC0, 0x80));
    assertEquals("\ufffd\ufffd", overlong2.text());
    assertEquals(2, overlong2.replaced());
    Utf8.Decoded overlong3 = decodeAll(concat(a, bytes(0xE0, 0x80, 0x80), b));
    assertEquals("a\ufffd\ufffd\ufffdb", overlong3.text());
    assertEquals(3, overlong3.replaced());

    // Lone continuation byte between valid multi-byte characters.
    Utf8.Decoded lone = decodeAll(concat(euro, bytes(0x80), euro));
    assertEquals("\u20ac\ufffd\u20ac", lone.text());
    assertEquals(1, lone.replaced());
  }

  @Test
  void replacementCountEqualsInsertedReplacementCharacters() {
    byte[][] inputs = {
      bytes(0xED, 0xA0, 0x80), // encoded surrogate
      bytes(0xF4, 0x90, 0x80, 0x80), // beyond U+10FFFF
      bytes(0x61, 0xC3, 0x62, 0xE2, 0x28, 0xA1, 0xFF, 0xF8, 0x88, 0x80, 0x80, 0x80),
    };
    for (byte[] in : inputs) {
      Utf8.Decoded d = decodeAll(in);
      long marks = d.text().chars().filter(c -> c == 0xFFFD).count();
      assertEquals(marks, d.replaced(), d.text());
      assertEquals(true, d.replaced() > 0, d.text());
    }
  }

  @Test
  void lengthParameterIsHonoured() {
    byte[] valid = "h\u00e9llo".getBytes(StandardCharsets.UTF_8); // 6 bytes
    byte[] buffer = concat(valid, bytes(0xFF, 0xFE, 0x41));
    Utf8.Decoded d = Utf8.decode(buffer, valid.length);
    assertEquals("h\u00e9llo", d.text());
    assertEquals(0, d.replaced());

    // Cutting inside a multi-byte char makes it a truncated sequence.
    Utf8.Decoded cut = Utf8.decode(buffer, 2);
    assertEquals("h\ufffd", cut.text());
    assertEquals(1, cut.replaced());

    // Malformed bytes before the limit count; the ones after it do not.
    byte[] mixed = concat(bytes(0xFF), "ab".getBytes(StandardCharsets.UTF_8), bytes(0xFF, 0xFF));
    Utf8.Decoded part = Utf8.decode(mixed, 3);
    assertEquals("\ufffdab", part.text());
    assertEquals(1, part.replaced());

    assertEquals("", Utf8.decode(buffer, 0).text());

    // Valid bytes beyond the length are ignored too (not only invalid ones).
    byte[] reused = "hello WORLD \u20ac".getBytes(StandardCharsets.UTF_8);
    Utf8.Decoded prefix = Utf8.decode(reused, 5);
    assertEquals("hello", prefix.text());
    assertEquals(0, prefix.replaced());
  }
}
