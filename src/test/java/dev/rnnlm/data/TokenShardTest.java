package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class TokenShardTest {

  @Test
  void narrowVocabularyUsesTwoBytesPerTokenAndWideUsesFour() {
    int[] ids = {0, 1, 2};
    assertEquals(2, TokenShard.of(0, 0, ids, 3).bytesPerToken());
    assertEquals(2, TokenShard.of(0, 0, ids, 65536).bytesPerToken(), "65536 ids fit 16 bits");
    assertEquals(4, TokenShard.of(0, 0, ids, 65537).bytesPerToken());
    assertEquals(4, TokenShard.of(0, 0, ids, 1_000_000).bytesPerToken());
  }

  @Test
  void getReturnsTheIdsAtGlobalPositions() {
    int[] ids = {5, 9, 0, 42, 7, 7, 3};
    for (int vocab : new int[] {50, 100_000}) {
      TokenShard shard = TokenShard.of(3, 1_000_000_000_000L, ids, vocab);
      assertEquals(3, shard.partition());
      assertEquals(1_000_000_000_000L, shard.start());
      assertEquals(1_000_000_000_007L, shard.end());
      assertEquals(ids.length, shard.length());
      for (int i = 0; i < ids.length; i++) {
        assertEquals(ids[i], shard.get(1_000_000_000_000L + i), "vocab " + vocab + " position " + i);
      }
    }
  }

  @Test
  void idsUpTo65535SurviveNarrowEncoding() {
    int[] ids = {0, 1, 255, 256, 32767, 32768, 65534, 65535};
    TokenShard shard = TokenShard.of(0, 10, ids, 65536);
    assertEquals(2, shard.bytesPerToken());
    for (int i = 0; i < ids.length; i++) {
      assertEquals(ids[i], shard.get(10 + i));
    }
  }

  @Test
  void wideEncodingKeepsIdsBeyond16Bits() {
    int[] ids = {65535, 65536, 65537, 99_999, 1 << 20};
    TokenShard shard = TokenShard.of(1, 0, ids, (1 << 20) + 1);
    assertEquals(4, shard.bytesPerToken());
    for (int i = 0; i < ids.length; i++) {
      assertEquals(ids[i], shard.get(i));
    }
  }

  @Test
  void shardDoesNotAliasTheCallersArray() {
    for (int vocab : new int[] {10, 70_000}) {
      int[] ids = {1, 2, 3};
      TokenShard shard = TokenShard.of(0, 0, ids, vocab);
      ids[1] = 9;
      assertEquals(2, shard.get(1), "vocab " + vocab);
    }
  }

  @Test
  void readsOutsideTheShardFail() {
    TokenShard shard = TokenShard.of(0, 100, new int[] {1, 2, 3}, 10);
    assertThrows(IndexOutOfBoundsException.class, () -> shard.get(99));
    assertThrows(IndexOutOfBoundsException.class, () -> shard.get(103));
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    for (int vocab : new int[] {10, 70_000}) {
      int[] ids = {4, 0, 9, 1};
      TokenShard shard = TokenShard.of(2, 77, ids, vocab);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(shard);
      }
      TokenShard copy;
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        copy = (TokenShard) in.readObject();
      }
      assertEquals(2, copy.partition());
      assertEquals(77, copy.start());
      assertEquals(shard.bytesPerToken(), copy.bytesPerToken());
      for (int i = 0; i < ids.length; i++) {
        assertEquals(ids[i], copy.get(77 + i));
      }
    }
  }
}
