package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Properties of the corpus index over many random corpora, without Spark: a corpus is a few
 * input partitions of chunks of random sizes from a few files, with the id of each token equal
 * to its position in the whole corpus (so every copy can be checked by value).
 */
class CorpusIndexTest {
  private static final int CASES = 300;

  /** A random corpus: its chunks (in shuffled order, as a Spark job returns them) and ids. */
  private record Corpus(List<CorpusIndex.ChunkInfo> chunks, int partitions, int files, int[][][] ids) {
    CorpusIndex index() {
      List<CorpusIndex.ChunkInfo> shuffled = new ArrayList<>(chunks);
      Collections.shuffle(shuffled, new java.util.Random(chunks.size()));
      return CorpusIndex.of(shuffled, partitions, files);
    }

    /** The ids of a view in view order, read through its spans. */
    int[] stream(CorpusIndex view) {
      int[] out = new int[(int) view.tokens()];
      for (CorpusIndex.ChunkInfo c : chunks) {
        CorpusIndex.Span s = view.span(c.inputPartition(), c.seq());
        if (s != null) {
          System.arraycopy(ids[c.inputPartition()][c.seq()], s.from(), out, (int) s.start(), s.to() - s.from());
        }
      }
      return out;
    }
  }

  /** Input partitions in order; each partition's chunks come from non-decreasing files. */
  private static Corpus randomCorpus(SplittableRandom r) {
    int partitions = 1 + r.nextInt(4);
    int files = 1 + r.nextInt(3);
    List<CorpusIndex.ChunkInfo> chunks = new ArrayList<>();
    int[][][] ids = new int[partitions][][];
    int position = 0;
    int file = 0;
    for (int p = 0; p < partitions; p++) {
      int count = 1 + r.nextInt(4);
      ids[p] = new int[count][];
      for (int c = 0; c < count; c++) {
        if (file < files - 1 && r.nextInt(3) == 0) {
          file++;
        }
        int size = r.nextInt(40);
        ids[p][c] = new int[size];
        for (int i = 0; i < size; i++) {
          ids[p][c][i] = position++;
        }
        chunks.add(new CorpusIndex.ChunkInfo(p, c, file, size));
      }
    }
    return new Corpus(chunks, partitions, files, ids);
  }

  private static int[] range(long from, long to) {
    int[] out = new int[(int) (to - from)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) from + i;
    }
    return out;
  }

  @Test
  void theWholeCorpusIsEveryTokenOnceInCorpusOrder() {
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < CASES; k++) {
      Corpus corpus = randomCorpus(r);
      CorpusIndex index = corpus.index();
      int total = corpus.chunks().stream().mapToInt(CorpusIndex.ChunkInfo::size).sum();
      assertEquals(total, index.tokens());
      assertArrayEquals(range(0, total), corpus.stream(index), "case " + k);
    }
  }

  @Test
  void aLimitIsThePrefixOfTheView() {
    SplittableRandom r = new SplittableRandom(2);
    for (int k = 0; k < CASES; k++) {
      Corpus corpus = randomCorpus(r);
      CorpusIndex index = corpus.index();
      long n = r.nextLong(index.tokens() + 2);
      CorpusIndex limited = index.limit(n);
      assertEquals(Math.min(n, index.tokens()), limited.tokens());
      assertArrayEquals(range(0, limited.tokens()), corpus.stream(limited), "case " + k);
    }
  }

  @Test
  void splittingTailsHoldsOutTheLastFractionOfEveryFileAndKeepsOrder() {
    SplittableRandom r = new SplittableRandom(3);
    int checked = 0;
    for (int k = 0; k < CASES; k++) {
      Corpus corpus = randomCorpus(r);
      CorpusIndex index = corpus.index();
      double fraction = 0.05 + 0.9 * r.nextDouble();
      // Expected: per file, its tokens in corpus order, cut after size - floor(size * fraction).
      List<List<Integer>> byFile = new ArrayList<>();
      for (int f = 0; f < corpus.files(); f++) {
        byFile.add(new ArrayList<>());
      }
      int[] all = corpus.stream(index);
      int at = 0;
      for (CorpusIndex.ChunkInfo c : corpus.chunks()) {
        for (int i = 0; i < c.size(); i++) {
          byFile.get(c.file()).add(all[at++]);
        }
      }
      List<Integer> training = new ArrayList<>();
      List<Integer> validation = new ArrayList<>();
      for (List<Integer> f : byFile) {
        int keep = f.size() - (int) Math.floor(f.size() * fraction);
        training.addAll(f.subList(0, keep));
        validation.addAll(f.subList(keep, f.size()));
      }
      if (training.isEmpty() || validation.size() < 2) {
        assertThrows(InputException.class, () -> index.splitTails(fraction));
        continue;
      }
      CorpusIndex.Split split = index.splitTails(fraction);
      assertArrayEquals(training.stream().mapToInt(Integer::intValue).toArray(), corpus.stream(split.training()), "case " + k);
      assertArrayEquals(validation.stream().mapToInt(Integer::intValue).toArray(), corpus.stream(split.validation()), "case " + k);
      checked++;
    }
    assertEquals(true, checked > CASES / 2, "most cases split: " + checked);
  }

  @Test
  void piecesForAnyRangesAssembleToExactlyThoseRangesOfAnyView() {
    SplittableRandom r = new SplittableRandom(4);
    for (int k = 0; k < CASES; k++) {
      Corpus corpus = randomCorpus(r);
      CorpusIndex view = corpus.index().limit(r.nextLong(1 + corpus.index().tokens()));
      if (view.tokens() == 0) {
        continue;
      }
      int[] stream = corpus.stream(view);
      // Random, possibly overlapping ranges of the view (as layout margins overlap).
      int parts = 1 + r.nextInt(4);
      long[][] ranges = new long[parts][];
      for (int p = 0; p < parts; p++) {
        long a = r.nextLong(view.tokens());
        long b = a + 1 + r.nextLong(view.tokens() - a);
        ranges[p] = new long[] {a, b};
      }
      List<List<CorpusIndex.Piece>> received = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        received.add(new ArrayList<>());
      }
      for (CorpusIndex.ChunkInfo c : corpus.chunks()) {
        for (CorpusIndex.Piece piece : CorpusIndex.piecesFor(corpus.ids()[c.inputPartition()][c.seq()],
            view.span(c.inputPartition(), c.seq()), ranges)) {
          received.get(piece.partition()).add(piece);
        }
      }
      for (int p = 0; p < parts; p++) {
        Collections.reverse(received.get(p)); // arrival order does not matter
        int[] expected = java.util.Arrays.copyOfRange(stream, (int) ranges[p][0], (int) ranges[p][1]);
        assertArrayEquals(expected, CorpusIndex.assemble(ranges[p], received.get(p).iterator()), "case " + k);
      }
    }
  }

  @Test
  void assemblingFromTooFewPiecesFailsNamingTheRange() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CorpusIndex.assemble(
        new long[] {10, 20}, List.of(new CorpusIndex.Piece(0, 10, new int[5])).iterator()));
    assertEquals("received 5 tokens for range [10, 20]", e.getMessage());
  }
}
