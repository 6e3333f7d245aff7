package dev.rnnlm.model;

/**
 * One layer's arrays for one window of T steps of B sequences, kept from the forward pass for
 * the backward pass. Part of a thread's workspace: grown on demand, reused by the thread's next
 * window, contents not cleared. Rows are time-major, row {@code t*B + b}.
 */
final class LayerWindow {
  int batch;
  int steps;
  int hidden;
  /**
   * (T*B, G*H): {@code x W_ih + b_ih} before {@link RecurrentCell#forward}, the cell's gate
   * values after it, dLoss/d(x W_ih + b_ih) after {@link RecurrentCell#backward}.
   */
  float[] gates = new float[0];
  /** (T+1, B, H): h_0 (the carried state) and the layer's outputs h_1..h_T. */
  float[] hs = new float[0];
  /** The cell's own arrays, by index ({@link #plane}). */
  private float[][] planes = new float[0][];
  /** (T*B, H): the inverted-dropout mask of the layer's output, 0 or 1/(1-p). */
  float[] mask = new float[0];
  /** (T*B, H): the output after dropout, when dropout is on. */
  float[] dropped = new float[0];
  /** Where the layer's output as the next layer sees it starts: {@code hs} at B*H, or {@code dropped}. */
  float[] output;
  int outputOffset;

  /**
   * The cell's array number {@code index} with at least {@code size} floats, kept from forward to
   * backward. Separate arrays rather than regions of one: the JIT vectorizes an element-wise loop
   * only when all its arrays are indexed by the same expression, so a cell keeps per-step values
   * in (T, B, H) planes indexed alike and moves data between them with System.arraycopy.
   */
  float[] plane(int index, int size) {
    if (planes.length <= index) {
      planes = java.util.Arrays.copyOf(planes, index + 1);
    }
    if (planes[index] == null || planes[index].length < size) {
      planes[index] = new float[size];
    }
    return planes[index];
  }

  /** Sizes the arrays for a window; {@code dropout}: whether mask and dropped are needed. */
  void resize(int batch, int steps, int hidden, int gateCount, boolean dropout) {
    this.batch = batch;
    this.steps = steps;
    this.hidden = hidden;
    int rows = steps * batch;
    gates = atLeast(gates, rows * gateCount * hidden);
    hs = atLeast(hs, (steps + 1) * batch * hidden);
    if (dropout) {
      mask = atLeast(mask, rows * hidden);
      dropped = atLeast(dropped, rows * hidden);
    }
  }

  private static float[] atLeast(float[] a, int size) {
    return a.length >= size ? a : new float[size];
  }
}
