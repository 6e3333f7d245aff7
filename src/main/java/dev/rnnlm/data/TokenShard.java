package dev.rnnlm.data;

import java.io.Serializable;

/**
 * The contiguous global token range {@code [start, end)} that one training partition reads,
 * cached compactly: 2 bytes per token while ids fit 16 bits, 4 bytes otherwise.
 */
public final class TokenShard implements Serializable {
  private final int partition;
  private final long start;
  private final char[] narrow; // ids < 65536, or null
  private final int[] wide;    // otherwise

  private TokenShard(int partition, long start, char[] narrow, int[] wide) {
    this.partition = partition;
    this.start = start;
    this.narrow = narrow;
    this.wide = wide;
  }

  /** Stores {@code ids} (the tokens at global positions {@code start...}) compactly. */
  public static TokenShard of(int partition, long start, int[] ids, int vocabSize) {
    if (vocabSize <= 1 << 16) {
      char[] c = new char[ids.length];
      for (int i = 0; i < ids.length; i++) {
        c[i] = (char) ids[i];
      }
      return new TokenShard(partition, start, c, null);
    }
    return new TokenShard(partition, start, null, ids.clone());
  }

  public int partition() {
    return partition;
  }

  public long start() {
    return start;
  }

  public long end() {
    return start + length();
  }

  public int length() {
    return narrow != null ? narrow.length : wide.length;
  }

  /** The id at global position {@code pos}, which must lie in {@code [start, end)}. */
  public int get(long pos) {
    int i = Math.toIntExact(pos - start);
    return narrow != null ? narrow[i] : wide[i];
  }

  /** Bytes used per cached token: 2 or 4. */
  public int bytesPerToken() {
    return narrow != null ? Character.BYTES : Integer.BYTES;
  }
}
