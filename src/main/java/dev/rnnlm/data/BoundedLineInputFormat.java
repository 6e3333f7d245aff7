package dev.rnnlm.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.RecordReader;
import org.apache.hadoop.mapred.Reporter;
import org.apache.hadoop.mapred.lib.CombineFileSplit;

/**
 * Text lines as records of bounded size: like Hadoop's {@code TextInputFormat} (same split
 * rule: a split reads the lines that start in it; compressed files are read whole), but a line
 * longer than {@link #MAX_PIECE_BYTES} comes as several {@link LinePiece}s. A 200 MB file
 * without a line break is read in 1 MiB pieces, never as one record.
 *
 * <p>A long line is cut where a space is followed by an ASCII letter when there is one in the
 * last 64 KiB of the piece: no word and no run of non-letters then spans two pieces, so word
 * tokens and the book's normalization come out as for the whole line. Otherwise the cut is at
 * a UTF-8 character boundary.
 *
 * <p>Every split is a run ({@link CombineFileSplit}) of consecutive parts in input order: a
 * file cut into several splits gives one run per split, as {@code TextInputFormat} would, but
 * consecutive whole files share a run as Spark SQL packs them: each costs its length plus
 * {@link #OPEN_COST_BYTES} (opening a file costs as much as reading that many bytes), and a run
 * holds at most {@code min(}{@link #MAX_RUN_BYTES}{@code , max(open cost, (bytes + files x open
 * cost) / requested splits))}. A directory of 10,000 small files is then a few hundred tasks
 * per pass, not 10,000. The key of a record is the number of its part within the run.
 */
public final class BoundedLineInputFormat extends FileInputFormat<IntWritable, LinePiece> {
  static final int MAX_PIECE_BYTES = 1 << 20;
  private static final int CUT_SEARCH_BYTES = 64 << 10;
  /** Job key: what opening a file costs, in bytes (Spark SQL's files.openCostInBytes, 4 MiB). */
  public static final String OPEN_COST_BYTES = "rnnlm.input.openCostBytes";
  /** Job key: the most bytes of whole files one run takes (Spark SQL's files.maxPartitionBytes). */
  public static final String MAX_RUN_BYTES = "rnnlm.input.maxRunBytes";

  @Override
  protected boolean isSplitable(FileSystem fs, Path file) {
    return new CompressionCodecFactory(fs.getConf()).getCodec(file) == null;
  }

  @Override
  public InputSplit[] getSplits(JobConf job, int numSplits) throws IOException {
    return runs(super.getSplits(job, numSplits), numSplits, job.getLong(OPEN_COST_BYTES, 4L << 20),
        job.getLong(MAX_RUN_BYTES, 128L << 20), job);
  }

  /**
   * {@code splits} (in input order) as runs: each split of a file cut into several alone, whole
   * files packed with their neighbours as the class comment says.
   */
  static InputSplit[] runs(InputSplit[] splits, int numSplits, long openCost, long maxRunBytes,
                           JobConf job) throws IOException {
    long packedBytes = 0;
    for (InputSplit split : splits) {
      packedBytes += split.getLength() + openCost;
    }
    long capacity = Math.min(maxRunBytes, Math.max(openCost, packedBytes / Math.max(1, numSplits)));
    List<InputSplit> runs = new ArrayList<>();
    List<FileSplit> run = new ArrayList<>();
    long runBytes = 0;
    for (int i = 0; i < splits.length; i++) {
      FileSplit split = (FileSplit) splits[i];
      boolean wholeFile = split.getStart() == 0
          && (i + 1 == splits.length || !((FileSplit) splits[i + 1]).getPath().equals(split.getPath()));
      long cost = split.getLength() + openCost;
      if (!run.isEmpty() && (!wholeFile || runBytes + cost > capacity)) {
        runs.add(combined(run, job));
        run.clear();
        runBytes = 0;
      }
      run.add(split);
      runBytes += cost;
      if (!wholeFile) {
        runs.add(combined(run, job));
        run.clear();
        runBytes = 0;
      }
    }
    if (!run.isEmpty()) {
      runs.add(combined(run, job));
    }
    return runs.toArray(InputSplit[]::new);
  }

  /** One run of parts; its hosts are the first part's (small files gain little from locality). */
  private static CombineFileSplit combined(List<FileSplit> parts, JobConf job) throws IOException {
    int n = parts.size();
    Path[] paths = new Path[n];
    long[] starts = new long[n];
    long[] lengths = new long[n];
    for (int i = 0; i < n; i++) {
      paths[i] = parts.get(i).getPath();
      starts[i] = parts.get(i).getStart();
      lengths[i] = parts.get(i).getLength();
    }
    return new CombineFileSplit(job, paths, starts, lengths, parts.get(0).getLocations());
  }

  @Override
  public RecordReader<IntWritable, LinePiece> getRecordReader(InputSplit split, JobConf job,
                                                               Reporter reporter) {
    return new RunReader((CombineFileSplit) split, job);
  }

  /** Reads a run's parts one after the other, each with a {@link Reader}, one buffer for all. */
  static final class RunReader implements RecordReader<IntWritable, LinePiece> {
    private final CombineFileSplit run;
    private final JobConf job;
    private final byte[] buffer = new byte[MAX_PIECE_BYTES];
    private final LongWritable position = new LongWritable();
    private Reader part;   // the open part, or null before the first and after the last
    private int next;      // the part to open next
    private long partsRead; // bytes of the parts before the open one

    RunReader(CombineFileSplit run, JobConf job) {
      this.run = run;
      this.job = job;
    }

    @Override
    public boolean next(IntWritable key, LinePiece value) throws IOException {
      while (true) {
        if (part == null) {
          if (next == run.getNumPaths()) {
            return false;
          }
          part = new Reader(new FileSplit(run.getPath(next), run.getOffset(next),
              run.getLength(next), (String[]) null), job, buffer);
          next++;
        }
        if (part.next(position, value)) {
          key.set(next - 1);
          return true;
        }
        partsRead += run.getLength(next - 1);
        part.close();
        part = null;
      }
    }

    @Override
    public IntWritable createKey() {
      return new IntWritable();
    }

    @Override
    public LinePiece createValue() {
      return new LinePiece();
    }

    @Override
    public long getPos() {
      return partsRead + (part == null ? 0 : part.getPos() - run.getOffset(next - 1));
    }

    @Override
    public float getProgress() {
      return run.getLength() == 0 ? 1f : Math.min(1f, getPos() / (float) run.getLength());
    }

    @Override
    public void close() throws IOException {
      if (part != null) {
        part.close();
        part = null;
      }
    }
  }

  /**
   * Reads the lines that start in a split (or every line of a stream), in pieces of at most
   * {@code maxPiece} bytes.
   */
  static final class Reader implements RecordReader<LongWritable, LinePiece> {
    private final InputStream in;
    private final long end;
    private final int maxPiece;
    private final byte[] buffer;
    private int buffered;        // bytes of the current line held in buffer
    private long pos;            // stream position of the next unread byte
    private long pieceStart;     // stream position of buffer[0]
    private boolean lineStarted; // the current line has already produced a piece
    private boolean done;

    /** What a reader reads: {@code in} positioned at {@code start}, lines starting up to {@code end}. */
    private record Opened(InputStream in, long start, long end) {}

    Reader(FileSplit split, JobConf job, int maxPiece) throws IOException {
      this(split, job, new byte[maxPiece]);
    }

    /** Pieces of at most {@code buffer.length} bytes, read through {@code buffer}. */
    Reader(FileSplit split, JobConf job, byte[] buffer) throws IOException {
      this(open(split, job), buffer);
    }

    /** Every line of {@code in}, from its first byte to its end, read through {@code buffer}. */
    Reader(InputStream in, byte[] buffer) throws IOException {
      this(new Opened(in, 0, Long.MAX_VALUE), buffer);
    }

    private Reader(Opened opened, byte[] buffer) throws IOException {
      this.maxPiece = buffer.length;
      this.buffer = buffer;
      this.in = opened.in();
      this.end = opened.end();
      long start = opened.start();
      pos = start;
      if (start != 0) {
        // The previous split reads the line that crosses (or starts at) this boundary.
        int b;
        while ((b = in.read()) != -1) {
          pos++;
          if (b == '\n') {
            break;
          }
        }
      }
      pieceStart = pos;
    }

    private static Opened open(FileSplit split, JobConf job) throws IOException {
      Path file = split.getPath();
      FileSystem fs = file.getFileSystem(job);
      CompressionCodec codec = new CompressionCodecFactory(job).getCodec(file);
      FSDataInputStream raw = fs.open(file);
      if (codec != null) {
        return new Opened(new BufferedInputStream(codec.createInputStream(raw), 1 << 16), 0, Long.MAX_VALUE);
      }
      raw.seek(split.getStart());
      return new Opened(new BufferedInputStream(raw, 1 << 16), split.getStart(),
          split.getStart() + split.getLength());
    }

    @Override
    public boolean next(LongWritable key, LinePiece value) throws IOException {
      if (done) {
        return false;
      }
      if (!lineStarted && buffered == 0 && pos > end) {
        done = true; // the next line starts in the next split
        return false;
      }
      key.set(pieceStart);
      while (buffered < maxPiece) {
        int b = in.read();
        if (b == -1) {
          done = true;
          if (buffered == 0 && !lineStarted) {
            return false;
          }
          emit(value, buffered, true);
          return true;
        }
        pos++;
        if (b == '\n') {
          int length = buffered > 0 && buffer[buffered - 1] == '\r' ? buffered - 1 : buffered;
          emit(value, length, true);
          return true;
        }
        buffer[buffered++] = (byte) b;
      }
      emit(value, cutPoint(), false);
      return true;
    }

    /** Emits buffer[0, length) and keeps the rest of the buffer for the next piece. */
    private void emit(LinePiece value, int length, boolean endsLine) {
      value.set(buffer, length, !lineStarted, endsLine);
      if (endsLine) {
        buffered = 0;
        lineStarted = false;
        pieceStart = pos;
      } else {
        int rest = buffered - length;
        System.arraycopy(buffer, length, buffer, 0, rest);
        buffered = rest;
        lineStarted = true;
        pieceStart = pos - rest;
      }
    }

    /** Where to cut a full buffer: after a space followed by a letter, else at a character start. */
    private int cutPoint() {
      for (int i = buffered - 1; i > Math.max(0, buffered - CUT_SEARCH_BYTES); i--) {
        if (isAsciiLetter(buffer[i]) && (buffer[i - 1] == ' ' || buffer[i - 1] == '\t')) {
          return i;
        }
      }
      int i = buffered - 1;
      while (i > 0 && (buffer[i] & 0xC0) == 0x80) {
        i--; // back over UTF-8 continuation bytes to the start of a character
      }
      return i > 0 ? i : buffered;
    }

    private static boolean isAsciiLetter(byte b) {
      return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    @Override
    public LongWritable createKey() {
      return new LongWritable();
    }

    @Override
    public LinePiece createValue() {
      return new LinePiece();
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public float getProgress() {
      return end == Long.MAX_VALUE ? 0f : Math.min(1f, (pos - pieceStart) / (float) Math.max(1, end - pieceStart));
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
