package dev.rnnlm.ml;

import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.BatchScorer;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.SamplingSettings;
import dev.rnnlm.model.TextContinuation;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Vocabulary;
import dev.rnnlm.train.Evaluator;
import java.util.ArrayList;
import java.util.Comparator;
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
 * <p>Rows are scored in chunks of {@link #CHUNK_ROWS}: a chunk's rows ordered by token count,
 * then scored in groups of up to {@link #GROUP_ROWS} ({@link BatchScorer}: one row per text in
 * every product; a text leaves its group when it ends, so nothing is padded). Each row's score
 * is its own, from a zero state; the rows come out in the order they came in.
 *
 * @param textIndex the column scored; -1 when no score is asked for
 * @param scores which of perplexity, log-likelihood, tokens are added
 * @param prefixIndex the column continued; -1 when no text is generated
 */
record RowTransformer(Broadcast<SavedModel> model, int steps, int textIndex, boolean[] scores,
                      int prefixIndex, int length, SamplingSettings sampling, String stopAt)
    implements MapPartitionsFunction<Row, Row> {

  /** Rows read ahead and scored together; bounds what a task holds beyond its output. */
  static final int CHUNK_ROWS = 1024;

  /** Texts per group: rows of each product of the forward pass. */
  static final int GROUP_ROWS = 64;

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    SavedModel saved = model.value();
    LanguageModel lm = saved.model();
    TextPipeline pipeline = saved.text();
    TextContinuation continuation = prefixIndex < 0 ? null
        : new TextContinuation(lm, saved.params(), pipeline, saved.vocabulary());
    BatchScorer scorer = textIndex < 0 ? null : new BatchScorer(lm, saved.params(), steps, GROUP_ROWS);
    return new Iterator<>() {
      private final List<Row> chunk = new ArrayList<>(CHUNK_ROWS);
      private Evaluator.Score[] chunkScores;
      private int next;

      @Override
      public boolean hasNext() {
        return next < chunk.size() || rows.hasNext();
      }

      @Override
      public Row next() {
        if (next == chunk.size()) {
          readChunk();
        }
        Row row = chunk.get(next);
        List<Object> values = new ArrayList<>(row.size() + 4);
        for (int i = 0; i < row.size(); i++) {
          values.add(row.get(i));
        }
        if (textIndex >= 0) {
          addScores(values, chunkScores[next]);
        }
        if (prefixIndex >= 0) {
          values.add(row.isNullAt(prefixIndex) ? null : generate(continuation, row.getString(prefixIndex)));
        }
        next++;
        return RowFactory.create(values.toArray());
      }

      /** The next rows, and their scores when scores are asked for (null for a null text). */
      private void readChunk() {
        chunk.clear();
        next = 0;
        while (chunk.size() < CHUNK_ROWS && rows.hasNext()) {
          chunk.add(rows.next());
        }
        if (scorer != null) {
          chunkScores = score(chunk, scorer, pipeline, saved.vocabulary());
        }
      }
    };
  }

  /** The scores of the rows' texts, shortest texts grouped first; null where the text is null. */
  private Evaluator.Score[] score(List<Row> chunk, BatchScorer scorer, TextPipeline pipeline,
                                  Vocabulary vocab) {
    List<Integer> scored = new ArrayList<>();
    int[][] ids = new int[chunk.size()][];
    for (int r = 0; r < chunk.size(); r++) {
      if (!chunk.get(r).isNullAt(textIndex)) {
        ids[r] = ids(chunk.get(r).getString(textIndex), pipeline, vocab);
        scored.add(r);
      }
    }
    scored.sort(Comparator.comparingInt(r -> ids[r].length));
    double[] losses = scorer.score(BatchScorer.Sequences.of(scored.stream().map(r -> ids[r]).toList()));
    Evaluator.Score[] scores = new Evaluator.Score[chunk.size()];
    for (int k = 0; k < scored.size(); k++) {
      int r = scored.get(k);
      scores[r] = new Evaluator.Score(losses[k], Math.max(0, ids[r].length - 1));
    }
    return scores;
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
    List<Integer> ids = new ArrayList<>();
    for (String line : row.split("\n", -1)) {
      pipeline.encodePiece(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line, true, true,
          vocab, (id, unknownWord) -> ids.add(id));
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }
}
