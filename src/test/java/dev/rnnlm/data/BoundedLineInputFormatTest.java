package dev.rnnlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.JobConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines read in bounded pieces: nothing lost or repeated across pieces and splits. */
class BoundedLineInputFormatTest {
  private static final int MAX_PIECE = 64;

  @TempDir
  Path dir;

  private static String randomText(long seed, int lines) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] words = {"the", "clock", "é", "über-lang", "tide,", "x", "----", "keeper's", "日本", "a"};
    StringBuilder b = new StringBuilder();
    for (int l = 0; l < lines; l++) {
      int n = r.nextInt(0, 60); // some lines far longer than a piece, some empty
      for (int w = 0; w < n; w++) {
        b.append(words[r.nextInt(words.length)]).append(r.nextInt(5) == 0 ? "  " : " ");
      }
      b.append(r.nextInt(4) == 0 ? "\r\n" : "\n");
    }
    return b.toString();
  }

  /** Every piece of every split of the file, in order. */
  private List<LinePiece> read(Path file, long[] cuts) throws IOException {
    JobConf job = new JobConf();
    long length = Files.size(file);
    List<LinePiece> pieces = new ArrayList<>();
    long start = 0;
    for (int i = 0; i <= cuts.length; i++) {
      long end = i < cuts.length ? cuts[i] : length;
      FileSplit split = new FileSplit(new org.apache.hadoop.fs.Path(file.toUri()), start, end - start, (String[]) null);
      BoundedLineInputFormat.Reader reader = new BoundedLineInputFormat.Reader(split, job, MAX_PIECE);
      LongWritable key = reader.createKey();
      LinePiece value = reader.createValue();
      while (reader.next(key, value)) {
        LinePiece copy = new LinePiece();
        copy.set(value.bytes().copyBytes(), value.bytes().getLength(), value.startsLine(), value.endsLine());
        assertTrue(copy.bytes().getLength() <= MAX_PIECE, "piece within the bound");
        pieces.add(copy);
      }
      reader.close();
      start = end;
    }
    return pieces;
  }

  private static List<String> joinLines(List<LinePiece> pieces) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (LinePiece p : pieces) {
      assertEquals(line.length() == 0, p.startsLine(), "startsLine marks the first piece of a line");
      line.append(new String(p.bytes().copyBytes(), StandardCharsets.UTF_8));
      if (p.endsLine()) {
        lines.add(line.toString());
        line.setLength(0);
      }
    }
    assertEquals(0, line.length(), "the last line is ended");
    return lines;
  }

  @Test
  void piecesOfEverySplitJoinBackIntoTheLinesExactlyOnce() throws IOException {
    String text = randomText(1, 300);
    Path file = Files.writeString(dir.resolve("t.txt"), text);
    List<String> expected = List.of(text.replace("\r\n", "\n").split("\n", -1)).subList(0,
        text.replace("\r\n", "\n").split("\n", -1).length - 1);
    long length = Files.size(file);
    SplittableRandom r = new SplittableRandom(2);
    for (int trial = 0; trial < 20; trial++) {
      long[] cuts = r.longs(r.nextInt(0, 8), 1, length).sorted().distinct().toArray();
      assertEquals(expected, joinLines(read(file, cuts)), "cuts " + java.util.Arrays.toString(cuts));
    }
  }

  @Test
  void aFileWithoutLineBreaksIsReadInBoundedPieces() throws IOException {
    String text = "word ".repeat(1000) + "end";
    Path file = Files.writeString(dir.resolve("one-line.txt"), text);
    List<LinePiece> pieces = read(file, new long[] {1000, 3000});
    assertTrue(pieces.size() >= text.length() / MAX_PIECE, "many pieces, got " + pieces.size());
    assertEquals(List.of(text), joinLines(pieces));
  }

  @Test
  void bookNormalizationAndWordsOfPiecesEqualThoseOfWholeLines() throws IOException {
    String text = randomText(3, 200);
    Path file = Files.writeString(dir.resolve("t.txt"), text);
    for (TextPipeline pipeline : List.of(new TextPipeline(Normalizer.D2L, Tokenizer.CHAR),
        new TextPipeline(Normalizer.NONE, Tokenizer.WORD), new TextPipeline(Normalizer.NONE, Tokenizer.CHAR))) {
      List<String> whole = new ArrayList<>();
      for (String line : joinLines(read(file, new long[0]))) {
        pipeline.tokenizeLine(line, whole::add);
      }
      List<String> pieced = new ArrayList<>();
      for (LinePiece p : read(file, new long[0])) {
        pipeline.tokenizePiece(new String(p.bytes().copyBytes(), StandardCharsets.UTF_8),
            p.startsLine(), p.endsLine(), pieced::add);
      }
      assertEquals(whole, pieced, pipeline.toString());
    }
  }
}
