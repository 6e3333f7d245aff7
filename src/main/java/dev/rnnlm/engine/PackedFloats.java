package dev.rnnlm.engine;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import dev.rnnlm.optim.RowSupport;

/**
 * A float array that Java serialization writes as one block of little-endian bytes. Plain
 * {@code float[]} serialization converts element by element; a bulk copy through a
 * {@link ByteBuffer} does the same in a fraction of the time, which counts for the parameter-sized
 * vectors every round broadcasts and returns. Used for everything a round broadcasts or returns.
 *
 * <p>A vector with a {@link RowSupport} (a gradient that is zero outside some rows of its input
 * table) is written as its supported ranges only, and read back with zeros elsewhere.
 */
final class PackedFloats implements Serializable {
  private transient float[] values;
  /** Where the values may be non-zero; null: anywhere. */
  private transient RowSupport support;

  PackedFloats(float[] values) {
    this(values, null);
  }

  PackedFloats(float[] values, RowSupport support) {
    this.values = values;
    this.support = support;
  }

  float[] values() {
    return values;
  }

  /** Where {@link #values} may be non-zero; null: anywhere. */
  RowSupport support() {
    return support;
  }

  void support(RowSupport value) {
    this.support = value;
  }

  /** Floats that travel when this is serialized. */
  long floatsWritten() {
    return support == null ? values.length : support.floatsKept(values.length);
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
    out.writeObject(support);
    byte[] chunk = new byte[Math.min(values.length, CHUNK_FLOATS) * Float.BYTES];
    FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int[] range : ranges(support, values.length)) {
      for (int from = range[0]; from < range[1]; from += CHUNK_FLOATS) {
        int n = Math.min(CHUNK_FLOATS, range[1] - from);
        floats.clear();
        floats.put(values, from, n);
        out.write(chunk, 0, n * Float.BYTES);
      }
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("negative float count " + length);
    }
    support = (RowSupport) in.readObject();
    values = new float[length];
    byte[] chunk = new byte[Math.min(length, CHUNK_FLOATS) * Float.BYTES];
    FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int[] range : ranges(support, length)) {
      for (int from = range[0]; from < range[1]; from += CHUNK_FLOATS) {
        int n = Math.min(CHUNK_FLOATS, range[1] - from);
        in.readFully(chunk, 0, n * Float.BYTES);
        floats.clear();
        floats.get(values, from, n);
      }
    }
  }

  /** The [from, to) ranges that travel. */
  private static java.util.List<int[]> ranges(RowSupport support, int length) {
    java.util.List<int[]> out = new java.util.ArrayList<>();
    RowSupport.forEachRange(support, length, (from, to) -> out.add(new int[] {from, to}));
    return out;
  }
}
