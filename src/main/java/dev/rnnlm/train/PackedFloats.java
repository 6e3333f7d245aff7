package dev.rnnlm.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A float array that Java serialization writes as one block of bytes. Plain {@code float[]}
 * serialization converts element by element, which showed up as a large part of a step's driver
 * time for ~1 MiB parameters and gradients; a bulk copy through a {@link ByteBuffer} is several
 * times faster. Used for everything a step broadcasts or returns.
 */
final class PackedFloats implements Serializable {
  private transient float[] values;

  PackedFloats(float[] values) {
    this.values = values;
  }

  float[] values() {
    return values;
  }

  static PackedFloats[] each(float[][] arrays) {
    PackedFloats[] out = new PackedFloats[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = new PackedFloats(arrays[i]);
    }
    return out;
  }

  /** Floats converted per block: 64 KiB, so no MiB-sized byte array is allocated per transfer. */
  private static final int CHUNK_FLOATS = 16 * 1024;

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.writeInt(values.length);
    byte[] chunk = new byte[Math.min(values.length, CHUNK_FLOATS) * Float.BYTES];
    FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, values.length - from);
      floats.clear();
      floats.put(values, from, n);
      out.write(chunk, 0, n * Float.BYTES);
    }
  }

  private void readObject(ObjectInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("negative float count " + length);
    }
    values = new float[length];
    byte[] chunk = new byte[Math.min(length, CHUNK_FLOATS) * Float.BYTES];
    FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int from = 0; from < length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, length - from);
      in.readFully(chunk, 0, n * Float.BYTES);
      floats.clear();
      floats.get(values, from, n);
    }
  }
}
