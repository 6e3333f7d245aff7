package dev.rnnlm.engine;

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

  /**
   * A gradient zero outside some rows of its input table travels as the rows it has: 20 of 1,000
   * rows of 100 floats plus 5,000 dense floats is 7,000 floats on the wire, and is read back with
   * the same bits and zeros elsewhere.
   */
  @Test
  void aVectorWithRowSupportTravelsAsItsSupportedRowsOnly() throws Exception {
    int offset = 3_000;
    int n = offset + 1_000 * 100 + 2_000;
    int[] ids = new int[40];
    for (int k = 0; k < ids.length; k++) {
      ids[k] = (k * 37) % 20 * 50;   // 20 distinct rows, each twice
    }
    dev.rnnlm.optim.RowSupport support = dev.rnnlm.optim.RowSupport.ofIds(offset, 100, 1_000, ids);
    float[] v = new float[n];
    SplittableRandom r = new SplittableRandom(3);
    support.forEachRange(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        v[i] = (float) r.nextDouble(-1, 1);
      }
    });
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new PackedFloats(v, support));
    }
    int floats = 5_000 + 20 * 100;
    assertTrue(bytes.size() >= floats * 4 && bytes.size() < floats * 4 + 8_000, "serialized size " + bytes.size());
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      PackedFloats back = (PackedFloats) in.readObject();
      assertArrayEquals(v, back.values());
      assertEquals(floats, back.floatsWritten());
    }
  }
}
