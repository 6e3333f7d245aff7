package dev.rnnlm.ml;

import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.SamplingSettings;
import dev.rnnlm.model.TextContinuation;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import dev.rnnlm.train.Evaluator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What {@link RnnLMModel#transform} does to each row: the row's columns, then its scores
 * (those asked for, in the order perplexity, log-likelihood, tokens) and its generated text.
 *
 * <p>A row is scored as {@code rnnlm evaluate} scores a file holding that row as its line(s):
 * from a zero state, in windows of the model's training {@code steps}, every token but the
 * first predicted. A row is generated from as {@code rnnlm generate --prefix ROW} continues it.
 *
 * @param textIndex the column scored; -1 when no score is asked for
 * @param scores which of perplexity, log-likelihood, tokens are added
 * @param prefixIndex the column continued; -1 when no text is generated
 */
record RowTransformer(Broadcast<SavedModel> model, int steps, int textIndex, boolean[] scores,
                      int prefixIndex, int length, SamplingSettings sampling, String stopAt)
    implements MapPartitionsFunction<Row, Row> {

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    SavedModel saved = model.value();
    LanguageModel lm = saved.model();
    TextPipeline pipeline = saved.text();
    TextContinuation continuation = prefixIndex < 0 ? null
        : new TextContinuation(lm, saved.params(), pipeline, saved.vocabulary());
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        List<Object> values = new ArrayList<>(row.size() + 4);
        for (int i = 0; i < row.size(); i++) {
          values.add(row.get(i));
        }
        if (textIndex >= 0) {
          addScores(values, row.isNullAt(textIndex) ? null
              : Evaluator.scoreSequence(ids(row.getString(textIndex), pipeline, saved.vocabulary()),
                  lm, saved.params(), steps));
        }
        if (prefixIndex >= 0) {
          values.add(row.isNullAt(prefixIndex) ? null : generate(continuation, row.getString(prefixIndex)));
        }
        return RowFactory.create(values.toArray());
      }
    };
  }

  private void addScores(List<Object> values, Evaluator.Score score) {
    boolean predicted = score != null && score.tokens() > 0;
    if (scores[0]) {
      values.add(predicted ? score.perplexity() : null);
    }
    if (scores[1]) {
      // Nothing predicted: the empty sum, +0.0 (negating a zero loss would give -0.0).
      values.add(score == null ? null : predicted ? -score.lossSum() : 0.0);
    }
    if (scores[2]) {
      values.add(score == null ? null : score.tokens());
    }
  }

  /** The prefix continued as {@code rnnlm generate} prints it; null when it has no tokens. */
  private String generate(TextContinuation continuation, String prefix) {
    List<Integer> prefixIds = continuation.prefixIds(prefix);
    return prefixIds.isEmpty() ? null : continuation.continueText(prefixIds, length, sampling, stopAt);
  }

  /**
   * The token ids of a row as the corpus reader sees it in a file (data.BoundedLineInputFormat):
   * each line followed by a line break, a '\r' before a line break dropped.
   */
  static int[] ids(String row, TextPipeline pipeline, Vocabulary vocab) {
    List<String> tokens = new ArrayList<>();
    for (String line : row.split("\n", -1)) {
      pipeline.tokenizeLine(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line,
          tokens::add);
    }
    return tokens.stream().mapToInt(vocab::id).toArray();
  }
}
