package dev.rnnlm.data;

import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.io.Text;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * A text corpus read with Spark and turned into token ids in corpus order, with global
 * positions, never collected to the driver. The text comes from a {@link CorpusSource} (files
 * in sorted path order, or lines of an RDD in its order); the ids live in cached chunks until
 * {@link #layout} copies the needed ranges to partitions.
 *
 * <p>A corpus is a view: which part of each chunk it uses and where that part sits in the
 * view's token stream ({@link Span}). {@link #limit} and {@link #splitTails} make new views of
 * the same chunks; closing any view releases the chunks, so lay out every view first.
 */
public final class EncodedCorpus implements AutoCloseable {
  /** Ids are cut into chunks of at most this many tokens so no record grows with file size. */
  private static final int CHUNK_TOKENS = 1 << 20;

  private final Vocabulary vocabulary;
  private final JavaRDD<IdChunk> chunks;
  private final CorpusIndex index; // which ids of which chunks this view holds, and where
  private final long malformedSequences;

  /** Token ids of one piece of an input partition from file {@code file}; {@code seq} orders pieces. */
  /**
   * {@code unknownWords}: tokens read into this chunk's part of the input whose text the
   * vocabulary does not have (a literal {@code <unk>} in the text excluded); a few may sit in the
   * next chunk's ids, so only the sum over all chunks is exact.
   */
  record IdChunk(int inputPartition, int seq, int file, int[] ids, int unknownWords)
      implements Serializable {}

  /** Orders token counts so that "greater" is more frequent, then earlier in token order. */
  static final class MoreFrequentFirst implements java.util.Comparator<Tuple2<String, Long>>, Serializable {
    @Override
    public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
      int byCount = Long.compare(a._2(), b._2());
      return byCount != 0 ? byCount : b._1().compareTo(a._1());
    }
  }

  /** A training view and a validation view of one corpus. */
  public record Split(EncodedCorpus training, EncodedCorpus validation) {}

  private EncodedCorpus(Vocabulary vocabulary, JavaRDD<IdChunk> chunks, CorpusIndex index,
                        long malformed) {
    this.vocabulary = vocabulary;
    this.chunks = chunks;
    this.index = index;
    this.malformedSequences = malformed;
  }

  /**
   * Reads and encodes the text of {@code source}. When {@code fixedVocabulary} is null the
   * vocabulary is the subword tokenizer's, or else is counted from the text (dropping tokens seen fewer than {@code minFreq} times); otherwise that
   * vocabulary is used and unknown tokens map to {@code <unk>}. At most {@code maxTokens} tokens are kept
   * ({@code <= 0}: all).
   *
   * @throws InputException when a path is missing or the text holds no tokens
   */
  public static EncodedCorpus read(JavaSparkContext sc, CorpusSource source, TextPipeline pipeline,
                                   Vocabulary fixedVocabulary, long minFreq, long maxTokens)
      throws IOException {
    return read(sc, source, pipeline, fixedVocabulary, minFreq, 0, maxTokens);
  }

  /**
   * As {@link #read(JavaSparkContext, CorpusSource, TextPipeline, Vocabulary, long, long)}, with
   * the counted vocabulary capped at {@code maxVocab} ids including {@code <unk>} ({@code <= 0}: no
   * cap): only the most frequent tokens get ids, the rest map to {@code <unk>}, and only those
   * counts reach the driver.
   */
  public static EncodedCorpus read(JavaSparkContext sc, CorpusSource source, TextPipeline pipeline,
                                   Vocabulary fixedVocabulary, long minFreq, int maxVocab,
                                   long maxTokens) throws IOException {
    CorpusSource.Pieces input = source.pieces(sc, sc.defaultMinPartitions());
    JavaRDD<TextPiece> text = input.text();

    Vocabulary vocabulary = fixedVocabulary != null ? fixedVocabulary : pipeline.ownVocabulary();
    if (vocabulary == null) {
      JavaPairRDD<String, Long> counted = text
          .mapPartitionsToPair(pieces -> countTokens(pieces, pipeline))
          .reduceByKey(Long::sum)
          .filter(t -> t._2() >= minFreq && !Vocabulary.UNKNOWN.equals(t._1()));
      Map<String, Long> counts = new HashMap<>();
      if (maxVocab > 0) {
        counted.top(maxVocab - 1, new MoreFrequentFirst()).forEach(t -> counts.put(t._1(), t._2()));
      } else {
        counts.putAll(counted.collectAsMap());
      }
      vocabulary = Vocabulary.fromCounts(counts, minFreq);
    }
    Broadcast<Vocabulary> vocab = sc.broadcast(vocabulary);
    LongAccumulator malformed = sc.sc().longAccumulator("malformed UTF-8 sequences");
    JavaRDD<IdChunk> chunks = text
        .mapPartitionsWithIndex((partition, pieces) ->
            encode(partition, countingMalformed(pieces, malformed), pipeline, vocab.value()), true)
        .persist(StorageLevel.MEMORY_AND_DISK());

    // One counting job gives every chunk's size; prefix sums give global positions.
    CorpusIndex index = CorpusIndex.of(chunks.map(c -> new CorpusIndex.ChunkInfo(c.inputPartition(),
        c.seq(), c.file(), c.ids().length)).collect(), chunks.getNumPartitions(), input.files());
    if (index.tokens() == 0) {
      chunks.unpersist(false);
      throw new InputException("no tokens in " + source.name());
    }
    EncodedCorpus all = new EncodedCorpus(vocabulary, chunks, index, malformed.value());
    return maxTokens > 0 ? all.limit(maxTokens) : all;
  }

  /** The first {@code maxTokens} tokens of this view. */
  public EncodedCorpus limit(long maxTokens) {
    CorpusIndex cut = index.limit(maxTokens);
    return cut == index ? this : new EncodedCorpus(vocabulary, chunks, cut, malformedSequences);
  }

  /**
   * Holds out the last {@code fraction} of each input file's tokens: the training view is the
   * rest of every file, in order; the validation view is the tails, in file order.
   */
  public Split splitTails(double fraction) {
    CorpusIndex.Split split = index.splitTails(fraction);
    return new Split(new EncodedCorpus(vocabulary, chunks, split.training(), malformedSequences),
        new EncodedCorpus(vocabulary, chunks, split.validation(), malformedSequences));
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** Tokens in this view. */
  public long tokens() {
    return index.tokens();
  }

  /** Partitions the input was read in. */
  int inputPartitions() {
    return chunks.getNumPartitions();
  }

  /** Malformed UTF-8 sequences that were replaced by U+FFFD while reading. */
  public long malformedSequences() {
    return malformedSequences;
  }


  /** How often each id occurs in this view; computed by a Spark job. */
  public long[] idCounts() {
    int v = vocabulary.size();
    CorpusIndex view = index;
    return chunks.map(c -> {
      long[] counts = new long[v];
      CorpusIndex.Span s = view.span(c.inputPartition(), c.seq());
      for (int i = s == null ? 0 : s.from(); s != null && i < s.to(); i++) {
        counts[c.ids()[i]]++;
      }
      return counts;
    }).fold(new long[v], (a, b) -> {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    });
  }

  /**
   * Bytes of text per token of this view: {@code tokenBytes[id]} per occurrence of each id
   * ({@link dev.rnnlm.text.TextPipeline#tokenBytes}), averaged. Computed by a Spark job.
   */
  public double bytesPerToken(int[] tokenBytes) {
    return bytesPerToken(idCounts(), tokenBytes);
  }

  /** Bytes per token of a text whose ids occur {@code idCounts[id]} times; 0 for no tokens. */
  public static double bytesPerToken(long[] idCounts, int[] tokenBytes) {
    long bytes = 0;
    long tokens = 0;
    for (int id = 0; id < idCounts.length; id++) {
      bytes += idCounts[id] * tokenBytes[id];
      tokens += idCounts[id];
    }
    return tokens == 0 ? 0 : (double) bytes / tokens;
  }

  /**
   * Tokens of the whole input read (every view of it alike) whose text the vocabulary does not
   * have, so they map to {@code <unk>}; a literal {@code <unk>} in the text is not counted (it is
   * a token of the vocabulary, e.g. WikiText's own marker). Computed by a Spark job.
   */
  public long unknownWords() {
    return chunks.map(c -> (long) c.unknownWords()).fold(0L, Long::sum);
  }

  /** The first {@code n} ids of this view (fewer when its first chunk is shorter). */
  public int[] head(int n) {
    CorpusIndex view = index;
    List<int[]> first = chunks
        .filter(c -> {
          CorpusIndex.Span s = view.span(c.inputPartition(), c.seq());
          return s != null && s.start() == 0 && s.to() > s.from();
        })
        .map(c -> {
          CorpusIndex.Span s = view.span(c.inputPartition(), c.seq());
          return Arrays.copyOfRange(c.ids(), s.from(), Math.min(s.to(), s.from() + n));
        })
        .take(1);
    return first.get(0);
  }

  /**
   * Copies ranges of this view's token stream to partitions: partition {@code p} of the result
   * holds one {@link TokenShard} with the ids of {@code ranges[p] = {start, end}}. One shuffle;
   * the result is cached and materialized.
   */
  public JavaRDD<TokenShard> layout(long[][] ranges) {
    int partitions = ranges.length;
    CorpusIndex view = index;
    int vocabSize = vocabulary.size();
    JavaRDD<TokenShard> shards = chunks
        .flatMapToPair(c -> CorpusIndex.piecesFor(c.ids(), view.span(c.inputPartition(), c.seq()), ranges)
            .stream().map(piece -> new Tuple2<>(piece.partition(), piece)).iterator())
        .partitionBy(new HashPartitioner(partitions))
        .mapPartitionsWithIndex((p, it) -> List.of(assemble(p, ranges[p], it, vocabSize)).iterator(),
            true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    shards.count();
    return shards;
  }

  @Override
  public void close() {
    chunks.unpersist(false);
  }

  /**
   * A line, or a piece of a long one, decoded: from input file {@code file}, with
   * {@code malformed} malformed UTF-8 sequences replaced by U+FFFD.
   */
  record TextPiece(String text, boolean startsLine, boolean endsLine, int file, int malformed)
      implements Serializable {
    static TextPiece decode(LinePiece piece, int file) {
      Text bytes = piece.bytes();
      Utf8.Decoded d = Utf8.decode(bytes.getBytes(), bytes.getLength());
      return new TextPiece(d.text(), piece.startsLine(), piece.endsLine(), file, d.replaced());
    }

    void tokenize(TextPipeline pipeline, java.util.function.Consumer<String> out) {
      pipeline.tokenizePiece(text, startsLine, endsLine, out);
    }

    void encode(TextPipeline pipeline, Vocabulary vocab, TextPipeline.IdSink out) {
      pipeline.encodePiece(text, startsLine, endsLine, vocab, out);
    }
  }

  /** {@code pieces}, adding the malformed sequences of each piece read to {@code malformed}. */
  private static Iterator<TextPiece> countingMalformed(Iterator<TextPiece> pieces, LongAccumulator malformed) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return pieces.hasNext();
      }

      @Override
      public TextPiece next() {
        TextPiece piece = pieces.next();
        if (piece.malformed() > 0) {
          malformed.add(piece.malformed());
        }
        return piece;
      }
    };
  }

  private static Iterator<Tuple2<String, Long>> countTokens(Iterator<TextPiece> lines,
                                                            TextPipeline pipeline) {
    Map<String, Long> local = new HashMap<>();
    while (lines.hasNext()) {
      lines.next().tokenize(pipeline, t -> local.merge(t, 1L, Long::sum));
    }
    List<Tuple2<String, Long>> out = new ArrayList<>(local.size());
    local.forEach((t, c) -> out.add(new Tuple2<>(t, c)));
    return out.iterator();
  }

  /**
   * Token ids of a partition's lines, in chunks of at most {@link #CHUNK_TOKENS} from one input
   * file each, produced lazily so Spark can store (or spill) each chunk before the next is read.
   * A partition without tokens yields one empty chunk, so every partition has a chunk 0.
   */
  private static Iterator<IdChunk> encode(int partition, Iterator<TextPiece> pieces,
                                          TextPipeline pipeline, Vocabulary vocab) {
    return new Iterator<>() {
      private int[] buffer = new int[1024];
      private int size;
      private int seq;
      private int[] overflow = new int[0]; // tokens of the last line read that did not fit
      private int overflowSize;
      private int overflowFile;
      private TextPiece peeked;
      private int unknownWords;

      @Override
      public boolean hasNext() {
        return seq == 0 || overflowSize > 0 || peek() != null;
      }

      @Override
      public IdChunk next() {
        size = 0;
        int file = overflowSize > 0 ? overflowFile
            : peek() != null ? peek().file() : 0;
        append(overflow, overflowSize);
        overflowSize = 0;
        while (size < CHUNK_TOKENS && peek() != null) {
          int pieceFile = peek().file();
          if (pieceFile != file) {
            if (size > 0) {
              break; // the next file starts a chunk of its own
            }
            file = pieceFile;
          }
          TextPiece piece = peeked;
          peeked = null;
          piece.encode(pipeline, vocab, (id, unknownWord) -> {
            if (unknownWord) {
              unknownWords++;
            }
            add(id);
          });
        }
        if (size > CHUNK_TOKENS) { // a piece's tokens crossed the bound: carry the excess
          overflow = Arrays.copyOfRange(buffer, CHUNK_TOKENS, size);
          overflowSize = overflow.length;
          overflowFile = file;
          size = CHUNK_TOKENS;
        }
        int unknown = unknownWords;
        unknownWords = 0;
        return new IdChunk(partition, seq++, file, Arrays.copyOf(buffer, size), unknown);
      }

      private TextPiece peek() {
        if (peeked == null && pieces.hasNext()) {
          peeked = pieces.next();
        }
        return peeked;
      }

      private void add(int id) {
        if (size == buffer.length) {
          buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        buffer[size++] = id;
      }

      private void append(int[] ids, int n) {
        for (int i = 0; i < n; i++) {
          add(ids[i]);
        }
      }
    };
  }

  private static TokenShard assemble(int partition, long[] range,
                                     Iterator<Tuple2<Integer, CorpusIndex.Piece>> it, int vocabSize) {
    Iterator<CorpusIndex.Piece> pieces = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public CorpusIndex.Piece next() {
        return it.next()._2();
      }
    };
    try {
      return TokenShard.of(partition, range[0], CorpusIndex.assemble(range, pieces), vocabSize);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("partition " + partition + " " + e.getMessage(), e);
    }
  }
}
