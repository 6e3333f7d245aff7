package dev.rnnlm.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Where each token of a corpus view sits, without the tokens: the arithmetic of
 * {@link EncodedCorpus}, free of Spark. The corpus is a sequence of chunks (input partition,
 * then chunk number within it, is corpus order; each chunk comes from one input file); a view
 * uses a contiguous part of some chunks ({@link Span}) and numbers its tokens 0.. in corpus
 * order. Views are made by {@link #limit} and {@link #splitTails}; {@link #piecesFor} and
 * {@link #assemble} copy ranges of a view's positions out of chunks and back together.
 */
final class CorpusIndex implements Serializable {
  /** Size and origin of a chunk: its input partition, its number there, its file. */
  record ChunkInfo(int inputPartition, int seq, int file, int size) implements Serializable {}

  /** Ids {@code [from, to)} of a chunk sit at view positions {@code start...}. */
  record Span(int from, int to, long start) implements Serializable {
    long end() {
      return start + to - from;
    }
  }

  /** Ids at view positions {@code start...}, bound for training partition {@code partition}. */
  record Piece(int partition, long start, int[] ids) implements Serializable {}

  /** A training view and a validation view of one corpus. */
  record Split(CorpusIndex training, CorpusIndex validation) {}

  private final ChunkInfo[] chunks; // corpus order
  private final Span[][] spans;     // [input partition][chunk seq]; null: not in this view
  private final int files;
  private final long tokens;

  private CorpusIndex(ChunkInfo[] chunks, Span[][] spans, int files, long tokens) {
    this.chunks = chunks;
    this.spans = spans;
    this.files = files;
    this.tokens = tokens;
  }

  /** The whole corpus of these chunks (any order) from {@code files} input files. */
  static CorpusIndex of(List<ChunkInfo> infos, int inputPartitions, int files) {
    ChunkInfo[] ordered = infos.stream()
        .sorted(Comparator.comparingInt(ChunkInfo::inputPartition).thenComparingInt(ChunkInfo::seq))
        .toArray(ChunkInfo[]::new);
    Span[][] spans = emptySpans(ordered, inputPartitions);
    long position = 0;
    for (ChunkInfo c : ordered) {
      spans[c.inputPartition()][c.seq()] = new Span(0, c.size(), position);
      position += c.size();
    }
    return new CorpusIndex(ordered, spans, files, position);
  }

  /** Tokens in this view. */
  long tokens() {
    return tokens;
  }

  /** The part of chunk {@code seq} of input partition {@code inputPartition} in this view, or null. */
  Span span(int inputPartition, int seq) {
    return spans[inputPartition][seq];
  }

  /** The first {@code maxTokens} tokens of this view. */
  CorpusIndex limit(long maxTokens) {
    if (maxTokens >= tokens) {
      return this;
    }
    Span[][] cut = emptySpans(chunks, spans.length);
    for (ChunkInfo c : chunks) {
      Span s = span(c.inputPartition(), c.seq());
      if (s != null && s.start() < maxTokens) {
        int to = (int) Math.min(s.to(), s.from() + (maxTokens - s.start()));
        cut[c.inputPartition()][c.seq()] = new Span(s.from(), to, s.start());
      }
    }
    return new CorpusIndex(chunks, cut, files, maxTokens);
  }

  /**
   * Holds out the last {@code fraction} of each input file's tokens in this view: the training
   * view is the rest of every file, in order; the validation view is the tails, in file order.
   *
   * @throws InputException when either view would be too small to use
   */
  Split splitTails(double fraction) {
    long[] fileTokens = new long[files];
    for (ChunkInfo c : chunks) {
      Span s = span(c.inputPartition(), c.seq());
      fileTokens[c.file()] += s == null ? 0 : s.to() - s.from();
    }
    long[] trainTokensOfFile = new long[files];
    for (int f = 0; f < files; f++) {
      trainTokensOfFile[f] = fileTokens[f] - (long) Math.floor(fileTokens[f] * fraction);
    }
    Span[][] train = emptySpans(chunks, spans.length);
    Span[][] validation = emptySpans(chunks, spans.length);
    long[] seenOfFile = new long[files];
    long trainPos = 0;
    long validationPos = 0;
    for (ChunkInfo c : chunks) {
      Span s = span(c.inputPartition(), c.seq());
      if (s == null) {
        continue;
      }
      long seen = seenOfFile[c.file()];
      int cut = (int) Math.max(s.from(), Math.min(s.to(), s.from() + trainTokensOfFile[c.file()] - seen));
      if (cut > s.from()) {
        train[c.inputPartition()][c.seq()] = new Span(s.from(), cut, trainPos);
        trainPos += cut - s.from();
      }
      if (s.to() > cut) {
        validation[c.inputPartition()][c.seq()] = new Span(cut, s.to(), validationPos);
        validationPos += s.to() - cut;
      }
      seenOfFile[c.file()] = seen + s.to() - s.from();
    }
    if (trainPos == 0 || validationPos < 2) {
      throw InputException.naming("{validationFraction} " + fraction + " leaves " + trainPos
          + " training and " + validationPos + " validation tokens");
    }
    return new Split(new CorpusIndex(chunks, train, files, trainPos),
        new CorpusIndex(chunks, validation, files, validationPos));
  }

  /**
   * The parts of a chunk's {@code ids} in {@code span} that fall into each of {@code ranges}
   * ({@code ranges[p] = {start, end}} of view positions), copied, each tagged with its range.
   */
  static List<Piece> piecesFor(int[] ids, Span span, long[][] ranges) {
    List<Piece> out = new ArrayList<>();
    if (span == null) {
      return out;
    }
    for (int p = 0; p < ranges.length; p++) {
      long lo = Math.max(span.start(), ranges[p][0]);
      long hi = Math.min(span.end(), ranges[p][1]);
      if (lo < hi) {
        int from = span.from() + (int) (lo - span.start());
        int to = span.from() + (int) (hi - span.start());
        out.add(new Piece(p, lo, Arrays.copyOfRange(ids, from, to)));
      }
    }
    return out;
  }

  /**
   * The ids of view positions {@code range = {start, end}} from the pieces of that range (any
   * order).
   *
   * @throws IllegalStateException when the pieces do not fill the range exactly
   */
  static int[] assemble(long[] range, Iterator<Piece> pieces) {
    int[] ids = new int[Math.toIntExact(range[1] - range[0])];
    long filled = 0;
    while (pieces.hasNext()) {
      Piece piece = pieces.next();
      System.arraycopy(piece.ids(), 0, ids, (int) (piece.start() - range[0]), piece.ids().length);
      filled += piece.ids().length;
    }
    if (filled != ids.length) {
      throw new IllegalStateException("received " + filled + " tokens for range " + Arrays.toString(range));
    }
    return ids;
  }

  private static Span[][] emptySpans(ChunkInfo[] infos, int inputPartitions) {
    int[] count = new int[inputPartitions];
    for (ChunkInfo c : infos) {
      count[c.inputPartition()] = Math.max(count[c.inputPartition()], c.seq() + 1);
    }
    Span[][] spans = new Span[inputPartitions][];
    for (int p = 0; p < inputPartitions; p++) {
      spans[p] = new Span[count[p]];
    }
    return spans;
  }
}
