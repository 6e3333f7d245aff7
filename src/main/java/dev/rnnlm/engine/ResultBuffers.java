package dev.rnnlm.engine;

import dev.rnnlm.optim.RowSupport;
import java.util.Arrays;

/**
 * The driver's result buffer per partition in local mode, reused from step to step, and where each
 * may hold something other than zero: the support of the result last sent from it (a gradient
 * leaves the input-table rows no token of its step touched at zero; the sum of a group of
 * partitions, added into its first buffer, widens that support to the group's). A buffer is
 * handed out cleared, by clearing only those ranges; until its task sends a result it counts as
 * written anywhere, so an attempt that failed half-way is cleared in full.
 */
final class ResultBuffers {
  private final float[][] buffers;
  /** Per partition: the result last sent from its buffer; null: none, or written anywhere. */
  private final PackedFloats[] sent;

  ResultBuffers(int partitions) {
    this.buffers = new float[partitions][];
    this.sent = new PackedFloats[partitions];
  }

  /** Partition {@code p}'s buffer of {@code length} floats, all zero. */
  float[] cleared(int p, int length) {
    float[] buffer = buffers[p];
    PackedFloats last = sent[p];
    sent[p] = null;
    if (buffer == null || buffer.length != length) {
      buffers[p] = new float[length];
      return buffers[p];
    }
    RowSupport.forEachRange(last == null ? null : last.support(), length,
        (from, to) -> Arrays.fill(buffer, from, to, 0f));
    return buffer;
  }

  /** {@code result} was made in partition {@code p}'s buffer and sent. */
  void sent(int p, PackedFloats result) {
    if (result.values() == buffers[p]) {
      sent[p] = result;
    }
  }
}
