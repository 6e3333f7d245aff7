package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import dev.rnnlm.train.Evaluator;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX export run by ONNX Runtime computes what the model computes: every cell, one and two
 * layers, with and without an embedding, tied, full and adaptive softmax: logits (an adaptive
 * softmax's are log-probabilities, as the model's own) within 1e-5 of our forward pass, final
 * states that continue a text as the model does, and a text's perplexity equal to
 * {@code evaluate}'s within 1e-5 relative.
 */
class OnnxExportTest {
  private static final int VOCAB = 11;
  private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();

  static Stream<Architecture> architectures() {
    return Stream.of(
        new Architecture("rnn", 7, 1, 0f),
        new Architecture("rnn", 6, 2, 0f),
        new Architecture("rnn", 6, 1, 0f, 5, false),
        new Architecture("rnn", 6, 2, 0f, 4, false),
        new Architecture("gru", 7, 1, 0f),
        new Architecture("gru", 6, 1, 0f, 5, false),
        new Architecture("gru", 6, 2, 0f),
        new Architecture("gru", 6, 2, 0f, 5, false),
        new Architecture("lstm", 7, 1, 0f),
        new Architecture("lstm", 6, 1, 0f, 5, false),
        new Architecture("lstm", 6, 2, 0f),
        new Architecture("lstm", 6, 2, 0f, 5, false),
        new Architecture("lstm", 8, 2, 0f, 8, true),
        new Architecture("gru", 8, 1, 0f, 8, true),
        new Architecture("lstm", 16, 2, 0f, 16, false, List.of(4, 7)),
        new Architecture("gru", 16, 1, 0f, 16, true, List.of(5)));
  }

  /** A model of {@code a} over 11 tokens with N(0, 0.5) parameters: far from linear, so the gates matter. */
  private static SavedModel model(Architecture a) {
    List<String> tokens = new ArrayList<>(List.of(Vocabulary.UNKNOWN));
    for (char c = 'a'; tokens.size() < VOCAB; c++) {
      tokens.add(String.valueOf(c));
    }
    LanguageModel model = a.newModel(VOCAB);
    float[] params = new float[model.layout().size()];
    Random random = new Random(a.hashCode());
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (random.nextGaussian() * 0.5);
    }
    if (a.tiedWeights()) { // tied: the output weight is the embedding, so its values are the embedding's
      model.initialize(params, 3);
      for (int i = 0; i < params.length; i++) {
        params[i] += (float) (random.nextGaussian() * 0.5);
      }
    }
    return new SavedModel(a, new TextPipeline(Normalizer.NONE, Tokenizer.CHAR), Vocabulary.ofTokens(tokens), params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(1, 1, 1), Map.of(), Map.of()));
  }

  /** What the ONNX model gives for {@code ids} (T, B) from {@code states} (h0[, c0]): logits (T, B, V), hn[, cn]. */
  private record Run(float[][][] logits, float[][][] hn, float[][][] cn) {}

  private static Run run(OrtSession session, int[][] ids, float[][][] h0, float[][][] c0) throws OrtException {
    int steps = ids.length;
    int batch = ids[0].length;
    long[] flat = new long[steps * batch];
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        flat[t * batch + b] = ids[t][b];
      }
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    inputs.put("input_ids", OnnxTensor.createTensor(ORT, LongBuffer.wrap(flat), new long[] {steps, batch}));
    inputs.put("h0", OnnxTensor.createTensor(ORT, h0));
    if (c0 != null) {
      inputs.put("c0", OnnxTensor.createTensor(ORT, c0));
    }
    try (OrtSession.Result r = session.run(inputs)) {
      return new Run((float[][][]) r.get("logits").get().getValue(), (float[][][]) r.get("hn").get().getValue(),
          c0 == null ? null : (float[][][]) r.get("cn").get().getValue());
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static void assertClose(float expected, float actual, String where) {
    assertTrue(Math.abs(expected - actual) <= 1e-5 * Math.max(1, Math.abs(expected)),
        where + ": expected " + expected + ", ONNX Runtime " + actual);
  }

  @ParameterizedTest
  @MethodSource("architectures")
  void onnxRuntimeComputesTheModelsLogitsAndStates(Architecture a) throws Exception {
    SavedModel saved = model(a);
    LanguageModel model = saved.model();
    int steps = 9;
    int batch = 3;
    int[][] ids = new int[steps][batch];
    Random random = new Random(7);
    for (int[] row : ids) {
      for (int b = 0; b < batch; b++) {
        row[b] = random.nextInt(VOCAB);
      }
    }
    // Ours: one batched step at a time from zero states.
    float[][][] expected = new float[steps][batch][VOCAB];
    float[] states = new float[batch * model.stateSize()];
    float[] logits = new float[batch * VOCAB];
    for (int t = 0; t < steps; t++) {
      model.step(saved.params(), ids[t], batch, states, logits);
      for (int b = 0; b < batch; b++) {
        System.arraycopy(logits, b * VOCAB, expected[t][b], 0, VOCAB);
      }
    }
    boolean lstm = a.cell().equals("lstm");
    try (OrtSession session = ORT.createSession(OnnxGraph.of(saved), new OrtSession.SessionOptions())) {
      float[][][] zeros = new float[a.layers()][batch][a.hidden()];
      Run whole = run(session, ids, zeros, lstm ? zeros : null);
      double largestDifference = 0;
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < batch; b++) {
          for (int v = 0; v < VOCAB; v++) {
            assertClose(expected[t][b][v], whole.logits()[t][b][v], a + " step " + t + " row " + b + " token " + v);
            largestDifference = Math.max(largestDifference, Math.abs(expected[t][b][v] - whole.logits()[t][b][v]));
          }
        }
      }
      System.out.printf("ONNX Runtime logits of %s: largest difference %.2e%n", a, largestDifference);
      // The final states carry a text on: the second part from the first part's hn (and cn).
      int split = 4;
      Run first = run(session, java.util.Arrays.copyOfRange(ids, 0, split), zeros, lstm ? zeros : null);
      Run rest = run(session, java.util.Arrays.copyOfRange(ids, split, steps), first.hn(), first.cn());
      for (int t = split; t < steps; t++) {
        for (int b = 0; b < batch; b++) {
          for (int v = 0; v < VOCAB; v++) {
            assertClose(expected[t][b][v], rest.logits()[t - split][b][v], a + " continued, step " + t);
          }
        }
      }
      for (int l = 0; l < a.layers(); l++) {
        for (int b = 0; b < batch; b++) {
          for (int h = 0; h < a.hidden(); h++) {
            assertClose(whole.hn()[l][b][h], rest.hn()[l][b][h], a + " hn layer " + l);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("architectures")
  void aTextsPerplexityUnderTheExportIsEvaluatesWithin1e5(Architecture a) throws Exception {
    SavedModel saved = model(a);
    int window = 35;
    int[] text = new Random(11).ints(400, 0, VOCAB).toArray();
    double expected = Evaluator.scoreSequence(text, saved.model(), saved.params(), window).perplexity();
    boolean lstm = a.cell().equals("lstm");
    double loss = 0;
    try (OrtSession session = ORT.createSession(OnnxGraph.of(saved), new OrtSession.SessionOptions())) {
      float[][][] h = new float[a.layers()][1][a.hidden()];
      float[][][] c = lstm ? new float[a.layers()][1][a.hidden()] : null;
      for (int start = 0; start < text.length - 1; start += window) {
        int end = Math.min(text.length - 1, start + window);
        int[][] ids = new int[end - start][1];
        for (int t = start; t < end; t++) {
          ids[t - start][0] = text[t];
        }
        Run r = run(session, ids, h, c);
        for (int t = start; t < end; t++) {
          float[] row = r.logits()[t - start][0];
          double max = Double.NEGATIVE_INFINITY;
          for (float x : row) {
            max = Math.max(max, x);
          }
          double sum = 0;
          for (float x : row) {
            sum += Math.exp(x - max);
          }
          loss += max + Math.log(sum) - row[text[t + 1]];
        }
        h = r.hn();
        c = r.cn();
      }
    }
    double perplexity = Math.exp(loss / (text.length - 1));
    assertEquals(expected, perplexity, 1e-5 * expected, a.toString());
    System.out.printf("ONNX Runtime perplexity of %s: %.6f, evaluate %.6f (relative difference %.1e)%n",
        a, perplexity, expected, Math.abs(perplexity - expected) / expected);
  }
}
