package dev.rnnlm.testutil;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * The golden cases of real PyTorch nn.GRU / nn.LSTM + nn.Linear modules that
 * scripts/cells_golden.py wrote to src/test/resources/model/cells-golden.json: per case the cell,
 * layers, sizes, a window, the weights in this program's layout ("params"), torch's loss,
 * gradient and final state, and the modules' own state dict ("stateDict").
 */
public final class CellsGolden {
  private CellsGolden() {}

  /** The array of cases. */
  public static JsonNode cases() throws IOException {
    try (InputStream in = CellsGolden.class.getResourceAsStream("/model/cells-golden.json")) {
      assertNotNull(in, "golden file missing: run scripts/cells_golden.py");
      return new ObjectMapper().readTree(in).get("cases");
    }
  }

  /** A JSON array of numbers as float32. */
  public static float[] floats(JsonNode array) {
    float[] f = new float[array.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) array.get(i).asDouble();
    }
    return f;
  }

  /** A JSON array of integers. */
  public static int[] ints(JsonNode array) {
    int[] x = new int[array.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = array.get(i).asInt();
    }
    return x;
  }
}
