package dev.rnnlm.model;

/**
 * Moves one step's B rows of a gate matrix ((B, G*H) row-major: the layout of the recurrent
 * products and of the weight-gradient GEMMs) to and from G planes of (B, H) each (the layout of
 * the cells' element-wise loops, see {@link LayerWindow#plane}).
 */
final class GateRows {
  private GateRows() {}

  /** planes[q][planeOffset + b*H + j] = rows[rowOffset + b*G*H + q*H + j]. */
  static void split(float[] rows, int rowOffset, int batch, int hidden, int planeOffset,
                    float[]... planes) {
    int width = planes.length * hidden;
    for (int b = 0; b < batch; b++) {
      for (int q = 0; q < planes.length; q++) {
        System.arraycopy(rows, rowOffset + b * width + q * hidden, planes[q],
            planeOffset + b * hidden, hidden);
      }
    }
  }

  /** The reverse of {@link #split}. */
  static void join(float[] rows, int rowOffset, int batch, int hidden, int planeOffset,
                   float[]... planes) {
    int width = planes.length * hidden;
    for (int b = 0; b < batch; b++) {
      for (int q = 0; q < planes.length; q++) {
        System.arraycopy(planes[q], planeOffset + b * hidden, rows,
            rowOffset + b * width + q * hidden, hidden);
      }
    }
  }
}
