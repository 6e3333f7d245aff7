package dev.rnnlm.optim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An optimizer's state, immutable: which optimizer it belongs to, the steps it has taken and its
 * slots, each a named float32 vector as long as the parameters ("exp_avg", "exp_avg_sq",
 * "momentum_buffer", "square_avg", "sum", in the optimizer's order). SGD's has no slot.
 *
 * <p>Its byte form ({@link #writeTo}) is deterministic, so a checkpoint can checksum it. All
 * numbers little-endian:
 *
 * <pre>
 *   "OPTS"                    4 bytes, magic
 *   version                   int32, 1
 *   optimizer                 int32 length, UTF-8 bytes
 *   step                      int64
 *   slot count                int32
 *   per slot: name            int32 length, UTF-8 bytes
 *             values          int32 length n, n float32 (raw bits, NaN payloads kept)
 * </pre>
 */
public final class OptimizerState {
  private static final byte[] MAGIC = {'O', 'P', 'T', 'S'};
  private static final int VERSION = 1;
  private static final int MAX_NAME_BYTES = 256;
  private static final int MAX_SLOTS = 64;
  /** Floats per write or read: 256 KiB buffers whatever the slot's length. */
  private static final int CHUNK = 1 << 16;

  private final String optimizer;
  private final long step;
  private final List<String> slotNames;
  private final float[][] slots;

  /**
   * The state of {@code optimizer} after {@code step} steps with {@code slots} (copied).
   *
   * @throws IllegalArgumentException a negative step, or two slots with one name
   */
  public OptimizerState(String optimizer, long step, List<Slot> slots) {
    this(optimizer, step, slots.stream().map(Slot::name).toList(),
        slots.stream().map(s -> s.values).toArray(float[][]::new), true);
  }

  /** Takes {@code slots} as they are unless {@code copy}: optimizers hand over fresh copies. */
  OptimizerState(String optimizer, long step, List<String> slotNames, float[][] slots, boolean copy) {
    if (step < 0) {
      throw new IllegalArgumentException("optimizer state: step must be >= 0, got " + step);
    }
    if (slotNames.stream().distinct().count() != slotNames.size()) {
      throw new IllegalArgumentException("optimizer state: slot names repeat: " + slotNames);
    }
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    this.step = step;
    this.slotNames = List.copyOf(slotNames);
    this.slots = copy ? Arrays.stream(slots).map(float[]::clone).toArray(float[][]::new) : slots;
  }

  /** One named slot; its values are copied in and out. */
  public static final class Slot {
    private final String name;
    private final float[] values;

    public Slot(String name, float[] values) {
      this.name = name;
      this.values = values.clone();
    }

    public String name() {
      return name;
    }

    public float[] values() {
      return values.clone();
    }
  }

  /** The {@link Optimizer#name()} of the optimizer this state belongs to. */
  public String optimizer() {
    return optimizer;
  }

  /** Steps taken (updates applied) since the optimizer was created. */
  public long step() {
    return step;
  }

  public List<String> slotNames() {
    return slotNames;
  }

  /** The slots, in order, as copies. */
  public List<Slot> slots() {
    List<Slot> out = new ArrayList<>();
    for (int k = 0; k < slots.length; k++) {
      out.add(new Slot(slotNames.get(k), slots[k]));
    }
    return Collections.unmodifiableList(out);
  }

  /** A copy of slot {@code name}'s values. */
  public float[] slot(String name) {
    int k = slotNames.indexOf(name);
    if (k < 0) {
      throw new IllegalArgumentException("optimizer state of " + optimizer + " has no slot '" + name
          + "' (it has " + slotNames + ")");
    }
    return slots[k].clone();
  }

  /** Slot {@code k} itself, not a copy: for {@link SlottedOptimizer#restore}, which copies it. */
  float[] slotValues(int k) {
    return slots[k];
  }

  /** The byte form described in the class comment. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  /** Writes the byte form to {@code out} (not closed), without a copy of the slots. */
  public void writeTo(OutputStream out) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(32 + MAX_NAME_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putInt(VERSION);
    putName(header, optimizer);
    header.putLong(step).putInt(slots.length);
    out.write(header.array(), 0, header.position());
    ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < slots.length; k++) {
      header.clear();
      putName(header, slotNames.get(k));
      header.putInt(slots[k].length);
      out.write(header.array(), 0, header.position());
      for (int from = 0; from < slots[k].length; from += CHUNK) {
        int count = Math.min(CHUNK, slots[k].length - from);
        chunk.clear();
        chunk.asFloatBuffer().put(slots[k], from, count);
        out.write(chunk.array(), 0, 4 * count);
      }
    }
  }

  /** Reads what {@link #toBytes} wrote; every byte must belong to it. */
  public static OptimizerState fromBytes(byte[] bytes) {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    try {
      OptimizerState state = readFrom(in);
      if (in.available() > 0) {
        throw new IllegalArgumentException("optimizer state: " + in.available()
            + " bytes after its end");
      }
      return state;
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Reads what {@link #writeTo} wrote, leaving {@code in} just after it.
   *
   * @throws IOException {@code in} fails or ends early, or the bytes are not an optimizer state
   */
  public static OptimizerState readFrom(InputStream in) throws IOException {
    ByteBuffer head = read(in, 8);
    byte[] magic = new byte[4];
    head.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException("not an optimizer state (no \"OPTS\" at its start)");
    }
    int version = head.getInt();
    if (version != VERSION) {
      throw new IOException("optimizer state version " + version + ", this program reads " + VERSION);
    }
    String optimizer = readName(in);
    long step = read(in, 8).getLong();
    int count = read(in, 4).getInt();
    if (count < 0 || count > MAX_SLOTS) {
      throw new IOException("optimizer state: " + count + " slots");
    }
    List<String> names = new ArrayList<>();
    float[][] slots = new float[count][];
    for (int k = 0; k < count; k++) {
      names.add(readName(in));
      int n = read(in, 4).getInt();
      if (n < 0) {
        throw new IOException("optimizer state: slot '" + names.get(k) + "' of length " + n);
      }
      slots[k] = new float[n];
      for (int from = 0; from < n; from += CHUNK) {
        int m = Math.min(CHUNK, n - from);
        read(in, 4 * m).asFloatBuffer().get(slots[k], from, m);
      }
    }
    try {
      return new OptimizerState(optimizer, step, names, slots, false);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static void putName(ByteBuffer b, String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("optimizer state: name longer than " + MAX_NAME_BYTES
          + " bytes: " + name);
    }
    b.putInt(utf8.length).put(utf8);
  }

  private static String readName(InputStream in) throws IOException {
    int n = read(in, 4).getInt();
    if (n < 0 || n > MAX_NAME_BYTES) {
      throw new IOException("optimizer state: a name of " + n + " bytes");
    }
    return new String(read(in, n).array(), StandardCharsets.UTF_8);
  }

  private static ByteBuffer read(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new EOFException("optimizer state ends early");
    }
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Same optimizer, step, slot names and slot values bit for bit (all NaNs alike). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof OptimizerState s)) {
      return false;
    }
    return optimizer.equals(s.optimizer) && step == s.step && slotNames.equals(s.slotNames)
        && Arrays.deepEquals(slots, s.slots);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * optimizer.hashCode() + Long.hashCode(step)) + Arrays.deepHashCode(slots);
  }

  /** {@code "adam after 12 steps: exp_avg[300000], exp_avg_sq[300000]"}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (int k = 0; k < slots.length; k++) {
      parts.add(slotNames.get(k) + "[" + slots[k].length + "]");
    }
    return optimizer + " after " + step + " steps" + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
  }
}
