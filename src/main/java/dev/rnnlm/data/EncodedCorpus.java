package dev.rnnlm.data;

import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.TextInputFormat;
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
 * positions, never collected to the driver. Input files are read in sorted path order; the
 * ids live in cached chunks until {@link #layout} copies the needed ranges to the training
 * partitions. Close it to release the chunks.
 */
public final class EncodedCorpus implements AutoCloseable {
  /** Ids are cut into chunks of at most this many tokens so no record grows with file size. */
  private static final int CHUNK_TOKENS = 1 << 20;

  private final JavaSparkContext sc;
  private final List<Path> files;
  private final Vocabulary vocabulary;
  private final Map<String, Long> tokenCounts;
  private final JavaRDD<IdChunk> chunks;
  private final long[][] chunkStarts; // [input partition][chunk] -> global position
  private final long tokens;          // after the --max-tokens cut
  private final long totalTokens;     // before it
  private final long malformedSequences;

  /** Token ids of one piece of an input partition; {@code seq} orders pieces within it. */
  record IdChunk(int inputPartition, int seq, int[] ids) implements Serializable {}

  /** A slice of ids at global positions {@code start...}, on its way to a training partition. */
  record Piece(long start, int[] ids) implements Serializable {}

  private EncodedCorpus(JavaSparkContext sc, List<Path> files, Vocabulary vocabulary,
                        Map<String, Long> tokenCounts, JavaRDD<IdChunk> chunks,
                        long[][] chunkStarts, long tokens, long totalTokens, long malformed) {
    this.sc = sc;
    this.files = files;
    this.vocabulary = vocabulary;
    this.tokenCounts = tokenCounts;
    this.chunks = chunks;
    this.chunkStarts = chunkStarts;
    this.tokens = tokens;
    this.totalTokens = totalTokens;
    this.malformedSequences = malformed;
  }

  /**
   * Reads and encodes {@code input} (comma-separated Hadoop paths, directories, globs).
   * When {@code fixedVocabulary} is null the vocabulary is counted from the text (dropping
   * tokens seen fewer than {@code minFreq} times); otherwise that vocabulary is used and
   * unknown tokens map to {@code <unk>}. At most {@code maxTokens} tokens are kept
   * ({@code <= 0}: all).
   *
   * @throws InputException when a path is missing or the input holds no tokens
   */
  public static EncodedCorpus read(JavaSparkContext sc, String input, TextPipeline pipeline,
                                   Vocabulary fixedVocabulary, long minFreq, long maxTokens)
      throws IOException {
    List<Path> files = InputFiles.expand(input, sc.hadoopConfiguration());
    JobConf job = new JobConf(sc.hadoopConfiguration());
    FileInputFormat.setInputPaths(job, files.toArray(Path[]::new));
    JavaPairRDD<LongWritable, Text> raw =
        sc.hadoopRDD(job, TextInputFormat.class, LongWritable.class, Text.class);
    LongAccumulator malformed = sc.sc().longAccumulator("malformed UTF-8 sequences");
    JavaRDD<String> lines = raw.mapPartitions(records -> decodeLines(records, malformed));

    Map<String, Long> counts = null;
    Vocabulary vocabulary = fixedVocabulary;
    if (vocabulary == null) {
      counts = new HashMap<>(lines.mapPartitionsToPair(it -> countTokens(it, pipeline))
          .reduceByKey(Long::sum).collectAsMap());
      vocabulary = Vocabulary.fromCounts(counts, minFreq);
    }
    Broadcast<Vocabulary> vocab = sc.broadcast(vocabulary);
    JavaRDD<IdChunk> chunks = lines
        .mapPartitionsWithIndex((index, it) -> encode(index, it, pipeline, vocab.value()), true)
        .persist(StorageLevel.MEMORY_AND_DISK());

    // One counting job gives every chunk's size; prefix sums give global positions.
    List<int[]> sizes = chunks.map(c -> new int[] {c.inputPartition(), c.seq(), c.ids().length})
        .collect();
    long[][] starts = new long[chunks.getNumPartitions()][];
    int[] chunkCount = new int[starts.length];
    sizes.forEach(s -> chunkCount[s[0]] = Math.max(chunkCount[s[0]], s[1] + 1));
    for (int i = 0; i < starts.length; i++) {
      starts[i] = new long[chunkCount[i]];
    }
    List<int[]> ordered = new ArrayList<>(sizes);
    ordered.sort(Comparator.<int[]>comparingInt(s -> s[0]).thenComparingInt(s -> s[1]));
    long position = 0;
    for (int[] s : ordered) {
      starts[s[0]][s[1]] = position;
      position += s[2];
    }
    if (position == 0) {
      chunks.unpersist(false);
      throw new InputException("no tokens in input " + input);
    }
    long kept = maxTokens > 0 ? Math.min(position, maxTokens) : position;
    return new EncodedCorpus(sc, files, vocabulary, counts, chunks, starts, kept, position,
        malformed.value());
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** Tokens in the corpus after the {@code --max-tokens} cut. */
  public long tokens() {
    return tokens;
  }

  /** Tokens in the input before any cut. */
  public long totalTokens() {
    return totalTokens;
  }

  /** Malformed UTF-8 sequences that were replaced by U+FFFD while reading. */
  public long malformedSequences() {
    return malformedSequences;
  }

  public List<Path> files() {
    return files;
  }

  /** Raw token counts over the whole input (null when the vocabulary was given). */
  public Map<String, Long> tokenCounts() {
    return tokenCounts;
  }

  /** How often each id occurs among the kept tokens; computed by a Spark job. */
  public long[] idCounts() {
    int v = vocabulary.size();
    long[][] starts = chunkStarts;
    long end = tokens;
    return chunks.map(c -> {
      long[] counts = new long[v];
      long pos = starts[c.inputPartition()][c.seq()];
      for (int i = 0; i < c.ids().length && pos + i < end; i++) {
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

  /** The first {@code n} kept ids of the corpus (fewer when it is shorter). */
  public int[] head(int n) {
    long[][] starts = chunkStarts;
    List<int[]> first = chunks
        .filter(c -> starts[c.inputPartition()][c.seq()] == 0 && c.ids().length > 0)
        .map(c -> Arrays.copyOf(c.ids(), Math.min(n, c.ids().length)))
        .take(1);
    int[] ids = first.get(0);
    return Arrays.copyOf(ids, (int) Math.min(ids.length, tokens));
  }

  /**
   * Copies global token ranges to partitions: partition {@code p} of the result holds one
   * {@link TokenShard} with the ids of {@code ranges[p] = {start, end}} (clipped to the kept
   * tokens). One shuffle; the result is cached and materialized.
   */
  public JavaRDD<TokenShard> layout(long[][] ranges) {
    int partitions = ranges.length;
    long[][] starts = chunkStarts;
    int vocabSize = vocabulary.size();
    JavaRDD<TokenShard> shards = chunks
        .flatMapToPair(c -> piecesFor(c, starts[c.inputPartition()][c.seq()], ranges))
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

  private static Iterator<String> decodeLines(Iterator<Tuple2<LongWritable, Text>> records,
                                              LongAccumulator malformed) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return records.hasNext();
      }

      @Override
      public String next() {
        Text line = records.next()._2();
        Utf8.Decoded d = Utf8.decode(line.getBytes(), line.getLength());
        if (d.replaced() > 0) {
          malformed.add(d.replaced());
        }
        return d.text();
      }
    };
  }

  private static Iterator<Tuple2<String, Long>> countTokens(Iterator<String> lines,
                                                            TextPipeline pipeline) {
    Map<String, Long> local = new HashMap<>();
    while (lines.hasNext()) {
      pipeline.tokenizeLine(lines.next(), t -> local.merge(t, 1L, Long::sum));
    }
    List<Tuple2<String, Long>> out = new ArrayList<>(local.size());
    local.forEach((t, c) -> out.add(new Tuple2<>(t, c)));
    return out.iterator();
  }

  private static Iterator<IdChunk> encode(int partition, Iterator<String> lines,
                                          TextPipeline pipeline, Vocabulary vocab) {
    List<IdChunk> out = new ArrayList<>();
    int[][] buffer = {new int[1024]};
    int[] size = {0};
    while (lines.hasNext()) {
      pipeline.tokenizeLine(lines.next(), t -> {
        if (size[0] == buffer[0].length) {
          if (size[0] == CHUNK_TOKENS) {
            out.add(new IdChunk(partition, out.size(), buffer[0]));
            buffer[0] = new int[1024];
            size[0] = 0;
          } else {
            buffer[0] = Arrays.copyOf(buffer[0], Math.min(CHUNK_TOKENS, size[0] * 2));
          }
        }
        buffer[0][size[0]++] = vocab.id(t);
      });
    }
    if (size[0] > 0 || out.isEmpty()) {
      out.add(new IdChunk(partition, out.size(), Arrays.copyOf(buffer[0], size[0])));
    }
    return out.iterator();
  }

  private static Iterator<Tuple2<Integer, Piece>> piecesFor(IdChunk chunk, long chunkStart,
                                                           long[][] ranges) {
    List<Tuple2<Integer, Piece>> out = new ArrayList<>();
    long chunkEnd = chunkStart + chunk.ids().length;
    for (int p = 0; p < ranges.length; p++) {
      long lo = Math.max(chunkStart, ranges[p][0]);
      long hi = Math.min(chunkEnd, ranges[p][1]);
      if (lo < hi) {
        int from = (int) (lo - chunkStart);
        int to = (int) (hi - chunkStart);
        out.add(new Tuple2<>(p, new Piece(lo, Arrays.copyOfRange(chunk.ids(), from, to))));
      }
    }
    return out.iterator();
  }

  private static TokenShard assemble(int partition, long[] range, Iterator<Tuple2<Integer, Piece>> it,
                                     int vocabSize) {
    int[] ids = new int[Math.toIntExact(range[1] - range[0])];
    long filled = 0;
    while (it.hasNext()) {
      Piece piece = it.next()._2();
      System.arraycopy(piece.ids(), 0, ids, (int) (piece.start() - range[0]), piece.ids().length);
      filled += piece.ids().length;
    }
    if (filled != ids.length) {
      throw new IllegalStateException("partition " + partition + " received " + filled
          + " tokens for range " + Arrays.toString(range));
    }
    return TokenShard.of(partition, range[0], ids, vocabSize);
  }
}
