package dev.rnnlm.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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

  private void writeObject(ObjectOutputStream out) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    out.writeInt(values.length);
    out.write(bytes.array());
  }

  private void readObject(ObjectInputStream in) throws IOException {
    int length = in.readInt();
    byte[] bytes = new byte[length * Float.BYTES];
    in.readFully(bytes);
    values = new float[length];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
  }
}
