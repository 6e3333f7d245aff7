package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("bit-identity")
class OptimizerStateTest {
  private static final int SIZE = 131;

  static List<String> names() {
    return Optimizers.NAMES;
  }

  /** Rmsprop with momentum has a second slot; its default (0) has one. */
  private static OptimizerSettings settingsFor(String name) {
    return name.equals("rmsprop") ? OptimizerSettings.DEFAULTS.withMomentum(0.5)
        : OptimizerSettings.DEFAULTS;
  }

  private static float[] gaussian(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  private static void steps(Optimizer opt, float[] params, Random r, int from, int to) {
    for (int s = from; s < to; s++) {
      opt.apply(params, gaussian(r, params.length), 0.01f * (s + 1));
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void restoredMidRunContinuesBitForBitAsTheUninterruptedRun(String name) {
    float[] start = gaussian(new Random(1), SIZE);

    float[] straight = start.clone();
    Optimizer uninterrupted = Optimizers.create(name, settingsFor(name), SIZE);
    steps(uninterrupted, straight, new Random(2), 0, 7);

    float[] resumed = start.clone();
    Optimizer first = Optimizers.create(name, settingsFor(name), SIZE);
    Random gradients = new Random(2);
    steps(first, resumed, gradients, 0, 3);
    // What a checkpoint keeps: the bytes; a new process reads them into a fresh optimizer.
    byte[] saved = first.state().toBytes();
    Optimizer second = Optimizers.create(name, settingsFor(name), SIZE);
    second.restore(OptimizerState.fromBytes(saved));
    steps(second, resumed, gradients, 3, 7);

    assertArrayEquals(bits(straight), bits(resumed), name + ": parameters");
    assertEquals(uninterrupted.state(), second.state(), name + ": state");
    assertEquals(7, second.state().step());
  }

  @ParameterizedTest
  @MethodSource("names")
  void stateIsACopyThatLaterStepsDoNotChange(String name) {
    Optimizer opt = Optimizers.create(name, settingsFor(name), SIZE);
    float[] params = gaussian(new Random(3), SIZE);
    steps(opt, params, new Random(4), 0, 2);
    OptimizerState before = opt.state();
    byte[] bytes = before.toBytes();
    steps(opt, params, new Random(5), 2, 3);
    assertArrayEquals(bytes, before.toBytes());
    assertNotEquals(before, opt.state());
  }

  @Test
  void restoreRejectsAnotherOptimizersState() {
    OptimizerState adam = Optimizers.create("adam", OptimizerSettings.DEFAULTS, SIZE).state();
    Optimizer adamw = Optimizers.create("adamw", OptimizerSettings.DEFAULTS, SIZE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adamw.restore(adam));
    assertEquals("optimizer state of adam cannot be restored into adamw", e.getMessage());
  }

  @Test
  void restoreRejectsOtherSlots() {
    Optimizer withMomentum = Optimizers.create("rmsprop", OptimizerSettings.DEFAULTS.withMomentum(0.5), SIZE);
    Optimizer without = Optimizers.create("rmsprop", OptimizerSettings.DEFAULTS, SIZE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> without.restore(withMomentum.state()));
    assertEquals("optimizer state of rmsprop has slots [square_avg, momentum_buffer], this rmsprop "
        + "(momentum=0.0, beta2=0.99, eps=1.0E-8, weight_decay=0.0) has [square_avg]", e.getMessage());
  }

  @Test
  void restoreRejectsSlotsOfAnotherLengthAndLeavesTheStateAsItWas() {
    Optimizer small = Optimizers.create("adam", OptimizerSettings.DEFAULTS, 5);
    small.apply(new float[5], new float[] {1, 2, 3, 4, 5}, 0.1f);
    Optimizer big = Optimizers.create("adam", OptimizerSettings.DEFAULTS, 6);
    big.apply(new float[6], new float[] {1, 1, 1, 1, 1, 1}, 0.1f);
    OptimizerState bigBefore = big.state();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> big.restore(small.state()));
    assertEquals("optimizer state slot 'exp_avg' of adam has 5 values, the parameters 6", e.getMessage());
    assertEquals(bigBefore, big.state());
  }

  @Test
  void applyRejectsVectorsOfAnotherLength() {
    Optimizer adam = Optimizers.create("adam", OptimizerSettings.DEFAULTS, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> adam.apply(new float[4], new float[3], 0.1f));
    assertEquals("adam: the gradient has 3 values, the parameters 4", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> adam.apply(new float[3], new float[3], 0.1f));
    assertEquals("adam: the state holds 4 values per slot, the parameters have 3", e.getMessage());
    assertEquals(0, adam.state().step(), "a rejected step is not counted");
  }

  @Test
  void bytesAreLittleEndianInTheDocumentedLayout() {
    OptimizerState s = new OptimizerState("adagrad", 3,
        List.of(new OptimizerState.Slot("sum", new float[] {1.5f, -0f})));
    ByteBuffer b = ByteBuffer.wrap(s.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[4];
    b.get(magic);
    assertEquals("OPTS", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(1, b.getInt());
    assertEquals(7, b.getInt());
    b.position(b.position() + 7);
    assertEquals(3L, b.getLong());
    assertEquals(1, b.getInt());
    assertEquals(3, b.getInt());
    b.position(b.position() + 3);
    assertEquals(2, b.getInt());
    assertEquals(Float.floatToRawIntBits(1.5f), b.getInt());
    assertEquals(Float.floatToRawIntBits(-0f), b.getInt());
    assertEquals(0, b.remaining());
  }

  @Test
  void bytesRoundTripThroughStreamsAndEqualStatesEncodeEqually() throws IOException {
    float[] values = new float[200_000];  // more than one write chunk
    Random r = new Random(6);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) r.nextGaussian();
    }
    values[7] = Float.intBitsToFloat(0x7fc00123);  // a NaN with a payload survives
    OptimizerState s = new OptimizerState("momentum", 42,
        List.of(new OptimizerState.Slot("momentum_buffer", values)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(9);  // the state need not start or end its stream
    s.writeTo(out);
    out.write(9);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertEquals(9, in.read());
    OptimizerState read = OptimizerState.readFrom(in);
    assertEquals(9, in.read());
    assertEquals(s, read);
    assertEquals(s.hashCode(), read.hashCode());
    assertEquals(0x7fc00123, Float.floatToRawIntBits(read.slot("momentum_buffer")[7]));
    assertArrayEquals(s.toBytes(), new OptimizerState("momentum", 42,
        List.of(new OptimizerState.Slot("momentum_buffer", values.clone()))).toBytes());
  }

  @Test
  void malformedBytesAreRejected() {
    byte[] good = new OptimizerState("sgd", 1, List.of()).toBytes();
    assertEquals("optimizer state ends early",
        assertThrows(IllegalArgumentException.class,
            () -> OptimizerState.fromBytes(Arrays.copyOf(good, good.length - 1))).getMessage());
    assertEquals("optimizer state: 1 bytes after its end",
        assertThrows(IllegalArgumentException.class,
            () -> OptimizerState.fromBytes(Arrays.copyOf(good, good.length + 1))).getMessage());
    byte[] wrongMagic = good.clone();
    wrongMagic[0] = 'X';
    assertEquals("not an optimizer state (no \"OPTS\" at its start)",
        assertThrows(IllegalArgumentException.class, () -> OptimizerState.fromBytes(wrongMagic)).getMessage());
  }

  @Test
  void equalityIsBitwiseOnEveryPart() {
    OptimizerState a = new OptimizerState("adagrad", 2, List.of(new OptimizerState.Slot("sum", new float[] {1f})));
    assertEquals(a, new OptimizerState("adagrad", 2, List.of(new OptimizerState.Slot("sum", new float[] {1f}))));
    assertNotEquals(a, new OptimizerState("adagrad", 3, List.of(new OptimizerState.Slot("sum", new float[] {1f}))));
    assertNotEquals(a, new OptimizerState("rmsprop", 2, List.of(new OptimizerState.Slot("sum", new float[] {1f}))));
    assertNotEquals(a, new OptimizerState("adagrad", 2, List.of(new OptimizerState.Slot("s", new float[] {1f}))));
    assertNotEquals(a, new OptimizerState("adagrad", 2,
        List.of(new OptimizerState.Slot("sum", new float[] {Math.nextUp(1f)}))));
    assertEquals("adagrad after 2 steps: sum[1]", a.toString());
  }

  @Test
  void constructorRejectsNegativeStepsAndRepeatedSlotNames() {
    assertEquals("optimizer state: step must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
        () -> new OptimizerState("sgd", -1, List.of())).getMessage());
    assertEquals("optimizer state: slot names repeat: [sum, sum]", assertThrows(IllegalArgumentException.class,
        () -> new OptimizerState("adagrad", 0, List.of(new OptimizerState.Slot("sum", new float[1]),
            new OptimizerState.Slot("sum", new float[1])))).getMessage());
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToRawIntBits(a[i]);
    }
    return b;
  }
}
