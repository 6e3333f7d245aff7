package dev.rnnlm.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.RecordReader;
import org.apache.hadoop.mapred.Reporter;

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
 */
public final class BoundedLineInputFormat extends FileInputFormat<LongWritable, LinePiece> {
  static final int MAX_PIECE_BYTES = 1 << 20;
  private static final int CUT_SEARCH_BYTES = 64 << 10;

  @Override
  protected boolean isSplitable(FileSystem fs, Path file) {
    return new CompressionCodecFactory(fs.getConf()).getCodec(file) == null;
  }

  @Override
  public RecordReader<LongWritable, LinePiece> getRecordReader(InputSplit split, JobConf job,
                                                                Reporter reporter) throws IOException {
    return new Reader((FileSplit) split, job, MAX_PIECE_BYTES);
  }

  /** Reads the lines that start in a split, in pieces of at most {@code maxPiece} bytes. */
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

    Reader(FileSplit split, JobConf job, int maxPiece) throws IOException {
      this.maxPiece = maxPiece;
      this.buffer = new byte[maxPiece];
      Path file = split.getPath();
      FileSystem fs = file.getFileSystem(job);
      CompressionCodec codec = new CompressionCodecFactory(job).getCodec(file);
      FSDataInputStream raw = fs.open(file);
      long start = split.getStart();
      if (codec != null) {
        in = new BufferedInputStream(codec.createInputStream(raw), 1 << 16);
        end = Long.MAX_VALUE;
        start = 0;
      } else {
        raw.seek(start);
        in = new BufferedInputStream(raw, 1 << 16);
        end = start + split.getLength();
      }
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
