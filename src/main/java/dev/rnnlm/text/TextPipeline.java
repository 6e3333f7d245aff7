package dev.rnnlm.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Normalizer + tokenizer: the one way text becomes tokens, in training and at use. */
public record TextPipeline(Normalizer normalizer, Tokenizer tokenizer) implements Serializable {

  /** Emits the tokens of one input line (without its terminator). */
  public void tokenizeLine(String line, Consumer<String> out) {
    tokenizePiece(line, true, true, out);
  }

  /**
   * Emits the tokens of a piece of a line (long lines are read in pieces); the line break
   * follows only the piece that ends its line.
   */
  public void tokenizePiece(String piece, boolean lineStart, boolean lineEnd, Consumer<String> out) {
    tokenizer.tokenize(normalizer.apply(piece, lineStart, lineEnd),
        lineEnd && normalizer.keepsLineBreaks(), out);
  }

  /**
   * Tokens of a free-standing text such as a generation prefix: lines split on '\n', and no
   * line break after the last line.
   */
  public List<String> tokenizeText(String text) {
    List<String> tokens = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      boolean last = i == lines.length - 1;
      tokenizer.tokenize(normalizer.apply(lines[i]), !last && normalizer.keepsLineBreaks(), tokens::add);
    }
    return tokens;
  }
}
