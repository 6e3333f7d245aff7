package dev.rnnlm.data;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 decoding that replaces malformed bytes with U+FFFD and counts them. */
public final class Utf8 {
  private Utf8() {}

  /** Decoded text plus the number of malformed or unmappable byte sequences replaced. */
  public record Decoded(String text, int replaced) {}

  public static Decoded decode(byte[] bytes, int length) {
    CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return new Decoded(strict.decode(ByteBuffer.wrap(bytes, 0, length)).toString(), 0);
    } catch (CharacterCodingException e) {
      return decodeCountingErrors(strict.reset(), ByteBuffer.wrap(bytes, 0, length));
    }
  }

  private static Decoded decodeCountingErrors(CharsetDecoder decoder, ByteBuffer in) {
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    int replaced = 0;
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isError()) {
        replaced++;
        out.put('\uFFFD');
        in.position(in.position() + r.length());
      } else {
        break; // underflow: all input consumed (output has room for one char per byte)
      }
    }
    decoder.flush(out);
    out.flip();
    return new Decoded(out.toString(), replaced);
  }
}
