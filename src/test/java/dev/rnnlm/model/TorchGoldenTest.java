package dev.rnnlm.model;

import static dev.rnnlm.model.Fixtures.relativeError;
import static dev.rnnlm.model.Fixtures.toDouble;
import static dev.rnnlm.testutil.CellsGolden.floats;
import static dev.rnnlm.testutil.CellsGolden.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rnnlm.testutil.CellsGolden;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The gru and lstm models against real PyTorch nn.GRU / nn.LSTM + nn.Linear: loss, gradient and
 * final state on golden values that scripts/cells_golden.py wrote to
 * src/test/resources/model/cells-golden.json (torch in float64 on float32 weights), weights
 * mapped by name through the documented transposition.
 */
class TorchGoldenTest {

  @Test
  void gruAndLstmMatchPyTorchLossGradientAndFinalState() throws IOException {
    int checked = 0;
    for (JsonNode c : CellsGolden.cases()) {
      String name = c.get("cell").asText() + " x" + c.get("layers").asInt();
      LanguageModel model = LanguageModels.create(c.get("cell").asText(), c.get("vocab").asInt(),
          c.get("hidden").asInt(), c.get("layers").asInt(), 0f);
      int batch = c.get("batch").asInt();
      int steps = c.get("steps").asInt();
      float[] params = new float[model.layout().size()];
      for (Tensor t : model.layout().tensors()) {
        float[] values = floats(c.get("params").get(t.name()));
        assertEquals(t.size(), values.length, name + ": " + t.name() + " size");
        System.arraycopy(values, 0, params, t.offset(), t.size());
      }
      float[] state = floats(c.get("state"));
      assertEquals(batch * model.stateSize(), state.length, name + ": state size");
      float[] grad = new float[params.length];
      double loss = model.lossAndGradient(params, ints(c.get("inputs")), ints(c.get("targets")),
          batch, steps, state, grad);

      double expected = c.get("loss").asDouble();
      assertTrue(relativeError(expected, loss) < 1e-5, name + ": loss " + loss + " vs torch "
          + expected);
      double[] finalState = toDouble(floats(c.get("finalState")));
      double stateError = relativeError(finalState, toDouble(state));
      assertTrue(stateError < 1e-5, name + ": final state relative error " + stateError);
      for (Tensor t : model.layout().tensors()) {
        double[] want = toDouble(floats(c.get("grad").get(t.name())));
        double[] got = toDouble(Arrays.copyOfRange(grad, t.offset(), t.offset() + t.size()));
        double e = relativeError(want, got);
        assertTrue(e < 1e-4, name + ": " + t.name() + " gradient relative error " + e);
      }
      checked++;
    }
    assertEquals(4, checked, "gru and lstm, 1 and 2 layers");
  }

}
