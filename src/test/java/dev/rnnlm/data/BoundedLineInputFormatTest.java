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
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.lib.CombineFileSplit;
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

  /**
   * Runs keep the input order part for part; a file cut into several splits keeps one run per
   * split; whole files share runs up to the capacity, each counted with the open cost.
   */
  @Test
  void wholeFilesShareRunsInInputOrderAndSplitFilesKeepOneRunPerSplit() throws IOException {
    List<FileSplit> splits = new ArrayList<>();
    org.apache.hadoop.fs.Path big = new org.apache.hadoop.fs.Path("/in/a-big.txt");
    for (int i = 0; i < 3; i++) {
      splits.add(new FileSplit(big, 5_000L * i, 5_000, (String[]) null));
    }
    SplittableRandom r = new SplittableRandom(4);
    for (int f = 0; f < 200; f++) {
      splits.add(new FileSplit(new org.apache.hadoop.fs.Path("/in/b" + f + ".txt"), 0,
          r.nextInt(0, 400), (String[]) null));
    }
    org.apache.hadoop.fs.Path split = new org.apache.hadoop.fs.Path("/in/c-split.txt");
    splits.add(new FileSplit(split, 0, 3_000, (String[]) null));
    splits.add(new FileSplit(split, 3_000, 100, (String[]) null));
    long openCost = 100;
    long maxRunBytes = 2_000;
    InputSplit[] runs = BoundedLineInputFormat.runs(splits.toArray(InputSplit[]::new), 2, openCost,
        maxRunBytes, new JobConf());

    List<String> parts = new ArrayList<>();
    for (InputSplit run : runs) {
      CombineFileSplit c = (CombineFileSplit) run;
      long cost = 0;
      for (int i = 0; i < c.getNumPaths(); i++) {
        parts.add(c.getPath(i) + "@" + c.getOffset(i) + "+" + c.getLength(i));
        cost += c.getLength(i) + openCost;
        boolean wholeFile = !c.getPath(i).equals(big) && !c.getPath(i).equals(split);
        assertTrue(wholeFile || c.getNumPaths() == 1, "a split of a cut file runs alone: " + c);
      }
      assertTrue(c.getNumPaths() == 1 || cost <= maxRunBytes, "run within capacity: " + cost);
    }
    List<String> expected = new ArrayList<>();
    for (FileSplit s : splits) {
      expected.add(s.getPath() + "@" + s.getStart() + "+" + s.getLength());
    }
    assertEquals(expected, parts, "every part once, in input order");
    assertTrue(runs.length < 3 + 200 / 5 + 2, "small files packed: " + runs.length + " runs");
  }
}
