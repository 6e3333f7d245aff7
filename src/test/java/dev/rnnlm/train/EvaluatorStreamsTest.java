package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.LanguageModels;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import java.io.IOException;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate --streams N} and validation streams: N contiguous streams, each from a zero
 * state, scored together per partition, against each stream scored alone.
 */
class EvaluatorStreamsTest {
  private static final int STEPS = 9;

  private static JavaSparkContext sc;
  private static EncodedCorpus corpus;
  private static int[] text;
  private static LanguageModel model;
  private static float[] params;

  @BeforeAll
  static void readCorpus() throws IOException {
    sc = SparkTestContext.get();
    corpus = EncodedCorpus.read(sc,
        CorpusSource.files(SparkTestContext.sampleData().resolve("clockmaker.txt").toString()), new TextPipeline(Normalizer.D2L, Tokenizer.CHAR), null, 0, 3001);
    text = corpus.head((int) corpus.tokens());
    model = LanguageModels.create("lstm", corpus.vocabulary().size(), 16, 2, 0f);
    params = new float[model.layout().size()];
    model.initialize(params, 5);
    for (int i = 0; i < params.length; i++) {
      params[i] *= 8f;   // far from uniform, so a restart from a zero state shows in the figure
    }
  }

  @AfterAll
  static void release() {
    corpus.close();
  }

  /** The streams of the plan, each scored alone, the losses added in stream order. */
  private static double streamsScoredAlone(int streams) {
    Evaluator.StreamPlan plan = Evaluator.StreamPlan.of(text.length, streams, 1);
    double loss = 0;
    for (int s = 0; s < plan.streams(); s++) {
      int[] ids = Arrays.copyOfRange(text, (int) plan.start(s), (int) plan.start(s + 1) + 1);
      loss += Evaluator.scoreSequence(ids, model, params, STEPS).lossSum();
    }
    return loss;
  }

  @Test
  void oneStreamIsExactlyTheOneLeftToRightPass() {
    Evaluator.Score score = Evaluator.score(sc, corpus, model, params, STEPS, 1, 1);
    Evaluator.Score pass = Evaluator.scoreSequence(text, model, params, STEPS);
    assertEquals(pass.lossSum(), score.lossSum(), 0.0);
    assertEquals(text.length - 1, score.tokens());
  }

  @Test
  void oneStreamPerPartitionIsExactlyEachStreamScoredAlone() {
    Evaluator.Score score = Evaluator.score(sc, corpus, model, params, STEPS, 4, 4);
    assertEquals(streamsScoredAlone(4), score.lossSum(), 0.0);
  }

  /**
   * N streams over any number of partitions: every token but the first predicted once, and each
   * stream's loss that of the stream alone within the rounding of products with more rows.
   */
  @Test
  void nStreamsScoreAsEachStreamAloneOverAnyPartitionCount() {
    for (int streams : new int[] {10, 64}) {
      double alone = streamsScoredAlone(streams);
      for (int partitions : new int[] {1, 2, 3, streams}) {
        Evaluator.Score score = Evaluator.score(sc, corpus, model, params, STEPS, streams, partitions);
        assertEquals(text.length - 1, score.tokens());
        assertEquals(alone, score.lossSum(), 1e-6 * alone,
            streams + " streams over " + partitions + " partitions");
      }
    }
    assertNotEquals(streamsScoredAlone(1), streamsScoredAlone(64),
        "64 zero-state restarts change the figure (else this test could not tell streams apart)");
  }

  @Test
  void streamsCoverTheTextContiguouslyAndPartitionsHoldWholeStreams() {
    for (long tokens : new long[] {0, 1, 2, 3, 100, 3001}) {
      for (int streams : new int[] {1, 2, 7, 64, 5000}) {
        for (int partitions : new int[] {1, 2, 3, 200}) {
          Evaluator.StreamPlan plan = Evaluator.StreamPlan.of(tokens, streams, partitions);
          assertTrue(plan.streams() >= 1 && plan.streams() <= Math.max(1, tokens - 1), plan.toString());
          assertTrue(plan.partitions() >= 1 && plan.partitions() <= plan.streams(), plan.toString());
          long predicted = 0;
          for (int s = 0; s < plan.streams(); s++) {
            predicted += plan.start(s + 1) - plan.start(s);
          }
          assertEquals(Math.max(0, tokens - 1), predicted, plan.toString());
          assertEquals(0, plan.firstStream(0));
          assertEquals(plan.streams(), plan.firstStream(plan.partitions()));
          for (int p = 0; p < plan.partitions(); p++) {
            assertTrue(plan.firstStream(p + 1) > plan.firstStream(p), "no partition is empty: " + plan);
            long[] range = plan.tokenRange(p);
            assertEquals(plan.start(plan.firstStream(p)), range[0]);
            assertEquals(Math.min(tokens, plan.start(plan.firstStream(p + 1)) + 1), range[1]);
          }
        }
      }
    }
  }
}
