package dev.rnnlm.optim;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Where a flat vector may be non-zero: everywhere outside one table of {@code rowCount} rows of
 * {@code width} floats at {@code offset}, and inside it only in {@code rows} (ascending, no
 * repeats). The gradient of an input table read by row gathers (an embedding, or the one-hot
 * first layer's W_ih) has this shape: a step's tokens touch at most T·B of its V rows. Sums,
 * norms and updates that skip the zero rows compute the same bits as over the whole vector
 * (adding or squaring an exact zero changes no sum).
 */
public final class RowSupport implements Serializable {
  private final int offset;
  private final int width;
  private final int rowCount;
  private final int[] rows;

  private RowSupport(int offset, int width, int rowCount, int[] rows) {
    this.offset = offset;
    this.width = width;
    this.rowCount = rowCount;
    this.rows = rows;
  }

  /** The rows of {@code ids} (any order, repeats allowed) of the (rowCount, width) table at offset. */
  public static RowSupport ofIds(int offset, int width, int rowCount, int[] ids) {
    int[] sorted = ids.clone();
    Arrays.sort(sorted);
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        if (sorted[i] < 0 || sorted[i] >= rowCount) {
          throw new IllegalArgumentException("row " + sorted[i] + " outside a table of " + rowCount);
        }
        sorted[n++] = sorted[i];
      }
    }
    return new RowSupport(offset, width, rowCount, Arrays.copyOf(sorted, n));
  }

  /** The rows either may be non-zero in: the support of the sum of two such vectors. */
  public RowSupport union(RowSupport other) {
    if (other.offset != offset || other.width != width || other.rowCount != rowCount) {
      throw new IllegalArgumentException("supports of different tables");
    }
    int[] merged = new int[rows.length + other.rows.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < rows.length || j < other.rows.length) {
      int next = j >= other.rows.length || i < rows.length && rows[i] <= other.rows[j]
          ? rows[i] : other.rows[j];
      merged[n++] = next;
      while (i < rows.length && rows[i] == next) {
        i++;
      }
      while (j < other.rows.length && other.rows[j] == next) {
        j++;
      }
    }
    return new RowSupport(offset, width, rowCount, Arrays.copyOf(merged, n));
  }

  /** Rows of the table that may be non-zero. */
  public int rowsKept() {
    return rows.length;
  }

  /** Floats of a vector of {@code length} that may be non-zero. */
  public long floatsKept(int length) {
    return length - (long) (rowCount - rows.length) * width;
  }

  /** A half-open index range [from, to). */
  @FunctionalInterface
  public interface RangeConsumer {
    void accept(int from, int to);
  }

  /**
   * Calls {@code each} for the ranges of a vector of {@code length} that may be non-zero, in
   * ascending order, adjacent rows joined: the part before the table, its kept rows, the part after.
   */
  public void forEachRange(int length, RangeConsumer each) {
    if (offset > 0) {
      each.accept(0, offset);
    }
    int k = 0;
    while (k < rows.length) {
      int first = rows[k];
      int last = first;
      while (k + 1 < rows.length && rows[k + 1] == last + 1) {
        last = rows[++k];
      }
      k++;
      each.accept(offset + first * width, offset + (last + 1) * width);
    }
    int end = offset + rowCount * width;
    if (end < length) {
      each.accept(end, length);
    }
  }

  /** Applies {@code each} over the whole vector when {@code support} is null, else over its ranges. */
  public static void forEachRange(RowSupport support, int length, RangeConsumer each) {
    if (support == null) {
      each.accept(0, length);
    } else {
      support.forEachRange(length, each);
    }
  }
}
