package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedFloatsTest {
  private static float[] roundTrip(float[] values) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new PackedFloats(values));
      out.writeInt(42); // what follows is still readable: exactly the floats were consumed
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      float[] back = ((PackedFloats) in.readObject()).values();
      assertEquals(42, in.readInt());
      return back;
    }
  }

  @Test
  void serializationKeepsEveryBitAcrossBlockBoundaries() throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    for (int n : new int[] {0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 300_007}) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = Float.intBitsToFloat(r.nextInt()); // every bit pattern, NaN payloads included
      }
      float[] back = roundTrip(v);
      assertEquals(n, back.length);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]), "element " + i);
      }
    }
  }

  @Test
  void serializedSizeIsFourBytesPerFloatPlusFraming() throws Exception {
    float[] v = new float[100_000];
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new PackedFloats(v));
    }
    // 400,000 bytes of data; block-data headers and the class descriptor add a few KB
    int size = bytes.size();
    assertTrue(size >= 400_000 && size < 400_000 + 8_000,
        "serialized size " + size);
    assertArrayEquals(v, roundTrip(v));
  }
}
