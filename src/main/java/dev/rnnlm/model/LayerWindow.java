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
  /** The cell's own arrays ({@link RecurrentCell#cacheSize}). */
  float[] cache = new float[0];
  /** (T*B, H): the inverted-dropout mask of the layer's output, 0 or 1/(1-p). */
  float[] mask = new float[0];
  /** (T*B, H): the output after dropout, when dropout is on. */
  float[] dropped = new float[0];
  /** Where the layer's output as the next layer sees it starts: {@code hs} at B*H, or {@code dropped}. */
  float[] output;
  int outputOffset;

  /** Sizes the arrays for a window; {@code dropout}: whether mask and dropped are needed. */
  void resize(int batch, int steps, int hidden, int gateCount, int cacheSize, boolean dropout) {
    this.batch = batch;
    this.steps = steps;
    this.hidden = hidden;
    int rows = steps * batch;
    gates = atLeast(gates, rows * gateCount * hidden);
    hs = atLeast(hs, (steps + 1) * batch * hidden);
    cache = atLeast(cache, cacheSize);
    if (dropout) {
      mask = atLeast(mask, rows * hidden);
      dropped = atLeast(dropped, rows * hidden);
    }
  }

  private static float[] atLeast(float[] a, int size) {
    return a.length >= size ? a : new float[size];
  }
}
