package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer and schedule against what PyTorch itself computed: {@code
 * optim/torch-golden.json}, written by {@code scripts/optimizer_golden.py} (torch 1.13, CPU),
 * holds a 7-element float32 parameter vector, 5 gradients, a rate per step, and for each
 * optimizer, at its defaults and with other hyperparameters including weight decay, the
 * parameters after every step and the final state under torch's own names.
 *
 * <p>Tolerance: torch evaluates the same float32 formulas but fuses some multiply-adds (its
 * vectorized {@code add_} with alpha is an FMA) and orders a few operations differently, each a
 * rounding of at most 2^-24 = 6e-8 of the value; with up to three such roundings of the
 * parameter per step, 5 steps stay under {@link #TOLERANCE} = 1e-6 of {@code max(1, |p|)} (the
 * largest difference seen is 1 ulp). Slots are compared relative to their largest element:
 * a moment near zero is the difference of larger terms, and its error is theirs.
 */
class TorchGoldenTest {
  private static final double TOLERANCE = 1e-6;
  private static final JsonNode GOLDEN = load();

  private static JsonNode load() {
    try (InputStream in = TorchGoldenTest.class.getResourceAsStream("/optim/torch-golden.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<String> cases() {
    List<String> labels = new ArrayList<>();
    GOLDEN.get("cases").forEach(c -> labels.add(c.get("label").asText()));
    return labels.stream();
  }

  @Test
  void goldenFileCoversEveryOptimizer() {
    List<String> covered = new ArrayList<>();
    GOLDEN.get("cases").forEach(c -> covered.add(c.get("optimizer").asText()));
    assertEquals(List.copyOf(Optimizers.NAMES), covered.stream().distinct().toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parametersAndStateMatchPyTorchAfterEveryStep(String label) {
    JsonNode c = caseNamed(label);
    OptimizerSettings given = settings(c.get("settings"));
    float[] params = floats(GOLDEN.get("params"));
    Optimizer opt = Optimizers.create(c.get("optimizer").asText(), given, params.length);
    JsonNode grads = GOLDEN.get("grads");
    JsonNode lrs = GOLDEN.get("lrs");
    for (int step = 0; step < grads.size(); step++) {
      opt.apply(params, floats(grads.get(step)), (float) lrs.get(step).asDouble());
      assertClose(floats(c.get("after").get(step)), params, 1, label + ", params after step " + (step + 1));
    }
    OptimizerState state = opt.state();
    List<String> torchSlots = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = c.get("state").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("step")) {
        assertEquals(e.getValue().asLong(), state.step(), label + ", step count");
      } else {
        torchSlots.add(e.getKey());
        float[] expected = floats(e.getValue());
        assertClose(expected, state.slot(e.getKey()), largest(expected), label + ", slot " + e.getKey());
      }
    }
    assertEquals(torchSlots, state.slotNames(), label + ": torch's state names, in torch's order");
  }

  @Test
  void scheduleRatesMatchPyTorchSchedulers() {
    for (JsonNode s : GOLDEN.get("schedules")) {
      String name = s.get("schedule").asText();
      float lr = (float) s.get("lr").asDouble();
      LearningRateSchedule schedule = name.equals("step")
          ? LearningRateSchedule.step(lr, s.get("decay").asDouble(), s.get("every").asLong(), 0)
          : LearningRateSchedule.cosine(lr, s.get("total").asLong(), 0);
      JsonNode rates = s.get("rates");
      for (int step = 0; step < rates.size(); step++) {
        float expected = (float) rates.get(step).asDouble();
        assertEquals(expected, schedule.lr(step), TOLERANCE * expected, name + " step " + step);
      }
    }
  }

  private static JsonNode caseNamed(String label) {
    for (JsonNode c : GOLDEN.get("cases")) {
      if (c.get("label").asText().equals(label)) {
        return c;
      }
    }
    throw new IllegalArgumentException(label);
  }

  private static OptimizerSettings settings(JsonNode s) {
    OptimizerSettings out = OptimizerSettings.DEFAULTS;
    for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      double v = e.getValue().asDouble();
      out = switch (e.getKey()) {
        case "momentum" -> out.withMomentum(v);
        case "beta1" -> out.withBeta1(v);
        case "beta2" -> out.withBeta2(v);
        case "eps" -> out.withEps(v);
        case "weight_decay" -> out.withWeightDecay(v);
        default -> throw new IllegalArgumentException("setting " + e.getKey());
      };
    }
    return out;
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();  // exact: the file holds float32 values
    }
    return out;
  }

  private static double largest(float[] x) {
    double m = 0;
    for (float v : x) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Each element within {@link #TOLERANCE} of {@code max(floor, |expected|)}. */
  private static void assertClose(float[] expected, float[] actual, double floor, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]) / Math.max(floor, Math.abs(expected[i]));
      assertTrue(err <= TOLERANCE, what + ", element " + i + ": torch " + expected[i] + ", here "
          + actual[i]);
    }
  }
}
