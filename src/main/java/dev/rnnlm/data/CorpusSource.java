package dev.rnnlm.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.lib.CombineFileSplit;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Where a corpus's text comes from: files ({@link #files}) or lines already in Spark
 * ({@link #lines}). A reader sees either as the same thing: the decoded pieces of the text's
 * lines ({@link EncodedCorpus.TextPiece}), partition by partition in corpus order, each from a
 * numbered input file. So ids, positions, vocabulary and held-out tails depend on the text
 * alone: lines give exactly what the same text in one file gives.
 */
public abstract sealed class CorpusSource permits CorpusSource.Files, CorpusSource.Lines {
  private CorpusSource() {}

  /**
   * Comma-separated Hadoop paths, directories (searched recursively) and globs
   * ({@link InputFiles#expand}), read in sorted path order by {@link BoundedLineInputFormat}.
   */
  public static CorpusSource files(String input) {
    return new Files(Objects.requireNonNull(input, "input"));
  }

  /**
   * The elements of {@code lines} as the lines of one file, in the RDD's order: partition by
   * partition, in order within each. Null elements are skipped; any other is read exactly as a
   * file holding it (in UTF-8) followed by a line break would be: a line break inside an element
   * ends a line there, a carriage return before a line break is dropped, a long line comes in
   * the same pieces. {@code name} is what messages call the corpus, e.g. {@code inputCol 'text'}.
   *
   * <p>A read passes over the RDD more than once (counting the vocabulary, then encoding): persist
   * it when computing it twice costs much or could give other rows.
   */
  public static CorpusSource lines(JavaRDD<String> lines, String name) {
    return new Lines(Objects.requireNonNull(lines, "lines"), Objects.requireNonNull(name, "name"));
  }

  /** What messages call this corpus: {@code input PATHS} for files, the given name for lines. */
  public abstract String name();

  @Override
  public String toString() {
    return name();
  }

  /** A corpus's text as decoded line pieces in corpus order, from {@code files} input files. */
  record Pieces(JavaRDD<EncodedCorpus.TextPiece> text, int files) {}

  /**
   * The text as decoded line pieces; files are read in at least {@code minPartitions} partitions,
   * lines in the RDD's own.
   *
   * @throws InputException when a path is missing
   */
  abstract Pieces pieces(JavaSparkContext sc, int minPartitions) throws IOException;

  /** Text files, read as lines by {@link BoundedLineInputFormat}; file numbers in sorted path order. */
  static final class Files extends CorpusSource {
    private final String input;

    private Files(String input) {
      this.input = input;
    }

    @Override
    public String name() {
      return "input " + input;
    }

    @Override
    Pieces pieces(JavaSparkContext sc, int minPartitions) throws IOException {
      List<Path> files = InputFiles.expand(input, sc.hadoopConfiguration());
      Map<String, Integer> fileIndex = new HashMap<>();
      for (Path file : files) {
        fileIndex.put(file.toString(), fileIndex.size());
      }
      JavaRDD<EncodedCorpus.TextPiece> text = linePieces(sc, files, minPartitions)
          .mapPartitionsWithInputSplit((split, records) ->
              decode(records, filesOfParts((CombineFileSplit) split, fileIndex)), true);
      return new Pieces(text, files.size());
    }

    /**
     * The lines of {@code files} in pieces of at most {@link BoundedLineInputFormat#MAX_PIECE_BYTES},
     * in file order; small files share a partition. Spark SQL's
     * {@code spark.sql.files.openCostInBytes} and {@code spark.sql.files.maxPartitionBytes} set
     * how many ({@link BoundedLineInputFormat}).
     */
    private static JavaHadoopRDD<IntWritable, LinePiece> linePieces(JavaSparkContext sc, List<Path> files,
                                                                   int minPartitions) {
      JobConf job = new JobConf(sc.hadoopConfiguration());
      FileInputFormat.setInputPaths(job, files.toArray(Path[]::new));
      job.setLong(BoundedLineInputFormat.OPEN_COST_BYTES,
          sc.getConf().getSizeAsBytes("spark.sql.files.openCostInBytes", "4m"));
      job.setLong(BoundedLineInputFormat.MAX_RUN_BYTES,
          sc.getConf().getSizeAsBytes("spark.sql.files.maxPartitionBytes", "128m"));
      return (JavaHadoopRDD<IntWritable, LinePiece>)
          sc.hadoopRDD(job, BoundedLineInputFormat.class, IntWritable.class, LinePiece.class, minPartitions);
    }

    /** The input file number of each part of a run. */
    private static int[] filesOfParts(CombineFileSplit run, Map<String, Integer> fileIndex) {
      int[] files = new int[run.getNumPaths()];
      for (int i = 0; i < files.length; i++) {
        files[i] = fileIndex.get(run.getPath(i).toString());
      }
      return files;
    }

    /** A run's pieces decoded; a record's key is its part of the run, {@code fileOfPart} that part's file. */
    private static Iterator<EncodedCorpus.TextPiece> decode(Iterator<Tuple2<IntWritable, LinePiece>> records,
                                                            int[] fileOfPart) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return records.hasNext();
        }

        @Override
        public EncodedCorpus.TextPiece next() {
          Tuple2<IntWritable, LinePiece> record = records.next();
          return EncodedCorpus.TextPiece.decode(record._2(), fileOfPart[record._1().get()]);
        }
      };
    }
  }

  /** Lines of an RDD: one file (number 0), each partition's elements read as the bytes a file would hold. */
  static final class Lines extends CorpusSource {
    private final JavaRDD<String> lines;
    private final String name;

    private Lines(JavaRDD<String> lines, String name) {
      this.lines = lines;
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    Pieces pieces(JavaSparkContext sc, int minPartitions) {
      return new Pieces(lines.mapPartitions(Lines::decode), 1);
    }

    /**
     * A partition's elements as the UTF-8 bytes of a file holding them, each followed by a line
     * break, read by the files' own line reader: the same lines, the same pieces of long lines.
     * No line spans two partitions, since every element ends with a line break.
     */
    static Iterator<EncodedCorpus.TextPiece> decode(Iterator<String> elements) throws IOException {
      BoundedLineInputFormat.Reader reader = new BoundedLineInputFormat.Reader(new LineBytes(elements),
          new byte[BoundedLineInputFormat.MAX_PIECE_BYTES]);
      return new Iterator<>() {
        private final LongWritable position = new LongWritable();
        private final LinePiece piece = new LinePiece();
        private EncodedCorpus.TextPiece next;

        @Override
        public boolean hasNext() {
          if (next == null) {
            try {
              if (reader.next(position, piece)) {
                next = EncodedCorpus.TextPiece.decode(piece, 0);
              }
            } catch (IOException e) {
              throw new IllegalStateException("reading lines from memory", e); // LineBytes does no I/O
            }
          }
          return next != null;
        }

        @Override
        public EncodedCorpus.TextPiece next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          EncodedCorpus.TextPiece out = next;
          next = null;
          return out;
        }
      };
    }
  }

  /**
   * The UTF-8 bytes of non-null strings, each followed by {@code '\n'}, produced as they are read
   * (a string at a time; the line reader reads byte by byte).
   */
  static final class LineBytes extends InputStream {
    private final Iterator<String> strings;
    private byte[] current = new byte[0];
    private int at;           // next byte of current; current.length: the line break
    private boolean finished = true; // current and its line break are read

    LineBytes(Iterator<String> strings) {
      this.strings = strings;
    }

    @Override
    public int read() {
      if (finished && !advance()) {
        return -1;
      }
      if (at < current.length) {
        return current[at++] & 0xFF;
      }
      finished = true;
      return '\n';
    }

    /** Moves to the next non-null string; false at the end. */
    private boolean advance() {
      while (strings.hasNext()) {
        String s = strings.next();
        if (s != null) {
          current = s.getBytes(StandardCharsets.UTF_8);
          at = 0;
          finished = false;
          return true;
        }
      }
      return false;
    }
  }
}
