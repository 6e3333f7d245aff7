package dev.rnnlm.data;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;

/**
 * A bounded piece of a text line: the raw bytes (no line terminator) and whether the piece
 * starts and ends its line. Lines longer than the reader's bound arrive as several pieces, so
 * no record grows with the length of a line (or of a file without line breaks).
 */
public final class LinePiece implements Writable {
  private final Text bytes = new Text();
  private boolean startsLine;
  private boolean endsLine;

  public Text bytes() {
    return bytes;
  }

  public boolean startsLine() {
    return startsLine;
  }

  public boolean endsLine() {
    return endsLine;
  }

  void set(byte[] data, int length, boolean startsLine, boolean endsLine) {
    bytes.set(data, 0, length);
    this.startsLine = startsLine;
    this.endsLine = endsLine;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    bytes.write(out);
    out.writeBoolean(startsLine);
    out.writeBoolean(endsLine);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    bytes.readFields(in);
    startsLine = in.readBoolean();
    endsLine = in.readBoolean();
  }
}
