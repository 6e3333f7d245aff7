package dev.rnnlm.io;

import static dev.rnnlm.testutil.CellsGolden.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.model.Tensor;
import dev.rnnlm.testutil.CellsGolden;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code export --format torch} names, shapes and orders every tensor as the PyTorch modules'
 * own {@code state_dict} does: the golden cases of scripts/cells_golden.py hold real nn.GRU /
 * nn.LSTM (1 and 2 layers) + nn.Linear state dicts beside the same weights in this program's
 * layout; exporting the latter must give the former exactly. The rnn cell's one bias per layer
 * becomes bias_ih with a zero bias_hh, which adds to the same pre-activation.
 */
class TorchExportTest {
  @Test
  void theTorchExportOfGruAndLstmIsTheModulesStateDict() throws Exception {
    int checked = 0;
    for (JsonNode c : CellsGolden.cases()) {
      Architecture architecture = new Architecture(c.get("cell").asText(),
          c.get("hidden").asInt(), c.get("layers").asInt(), 0f);
      int vocab = c.get("vocab").asInt();
      LanguageModel model = architecture.newModel(vocab);
      float[] params = new float[model.layout().size()];
      for (Tensor t : model.layout().tensors()) {
        System.arraycopy(floats(c.get("params").get(t.name())), 0, params, t.offset(), t.size());
      }
      List<ExportedTensor> exported = ExportedTensor.asTorch(saved(architecture, vocab, params));
      JsonNode stateDict = c.get("stateDict");
      List<String> names = new ArrayList<>();
      stateDict.fieldNames().forEachRemaining(names::add);
      assertEquals(names, exported.stream().map(ExportedTensor::name).toList(), architecture.toString());
      for (ExportedTensor t : exported) {
        JsonNode want = stateDict.get(t.name());
        int[] shape = new int[want.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = want.get("shape").get(i).asInt();
        }
        assertArrayEquals(shape, t.shape(), architecture + " " + t.name() + " shape");
        assertArrayEquals(floats(want.get("values")),
            Arrays.copyOfRange(t.values(), t.offset(), t.offset() + t.size()),
            architecture + " " + t.name() + " values");
      }
      checked++;
    }
    assertEquals(4, checked);
  }

  @Test
  void theRnnCellsOneBiasIsBiasIhWithAZeroBiasHh() {
    Architecture rnn = new Architecture("rnn", 3, 2, 0f);
    LanguageModel model = rnn.newModel(5);
    float[] params = new float[model.layout().size()];
    model.initialize(params, 4);
    Tensor bh = model.layout().tensor("b_h_l1");
    for (int i = 0; i < bh.size(); i++) {
      params[bh.offset() + i] = i + 1;
    }
    List<ExportedTensor> exported = ExportedTensor.asTorch(saved(rnn, 5, params));
    assertEquals(List.of("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
        "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1", "out.weight", "out.bias"),
        exported.stream().map(ExportedTensor::name).toList());
    ExportedTensor bih = exported.get(6);
    assertArrayEquals(new float[] {1, 2, 3}, Arrays.copyOfRange(bih.values(), bih.offset(), bih.offset() + 3));
    assertArrayEquals(new float[3], exported.get(7).values());
    Tensor wxh = model.layout().tensor("W_xh");
    ExportedTensor wih = exported.get(0);
    assertArrayEquals(new int[] {3, 5}, wih.shape());
    assertEquals(params[wxh.offset() + 2 * 3 + 1], wih.values()[1 * 5 + 2], "weight_ih[j][v] = W_xh[v][j]");
  }

  /** The names of PyTorch's word_language_model RNNModel; tied: the decoder's weight is the encoder's. */
  @Test
  void anEmbeddingModelIsNamedAsTheWordLanguageModelExamplesModule() {
    for (boolean tied : new boolean[] {false, true}) {
      Architecture lstm = new Architecture("lstm", 4, 2, 0.2f, 4, tied);
      LanguageModel model = lstm.newModel(7);
      float[] params = new float[model.layout().size()];
      model.initialize(params, 3);
      List<ExportedTensor> exported = ExportedTensor.asTorch(saved(lstm, 7, params));
      assertEquals(List.of("encoder.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
          "rnn.bias_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
          "decoder.weight", "decoder.bias"), exported.stream().map(ExportedTensor::name).toList());
      ExportedTensor encoder = exported.get(0);
      ExportedTensor decoder = exported.get(9);
      assertArrayEquals(new int[] {7, 4}, encoder.shape());
      assertArrayEquals(new int[] {7, 4}, decoder.shape());
      Tensor embedding = model.layout().tensor("embedding");
      assertArrayEquals(Arrays.copyOfRange(params, embedding.offset(), embedding.offset() + 28),
          Arrays.copyOfRange(encoder.values(), encoder.offset(), encoder.offset() + 28));
      float[] decoderValues = Arrays.copyOfRange(decoder.values(), decoder.offset(), decoder.offset() + 28);
      if (tied) {
        assertArrayEquals(Arrays.copyOfRange(params, embedding.offset(), embedding.offset() + 28),
            decoderValues, "tied: decoder.weight is encoder.weight");
      } else {
        // decoder.weight (V, H) is W_hq (H, V) transposed.
        Tensor whq = model.layout().tensor("W_hq");
        assertEquals(params[whq.offset() + 2 * 7 + 5], decoderValues[5 * 4 + 2]);
      }
    }
  }

  private static SavedModel saved(Architecture architecture, int vocab, float[] params) {
    List<String> tokens = new ArrayList<>(List.of(Vocabulary.UNKNOWN));
    for (int i = 1; i < vocab; i++) {
      tokens.add("t" + i);
    }
    return new SavedModel(architecture, new TextPipeline(Normalizer.NONE, Tokenizer.WORD),
        Vocabulary.ofTokens(tokens), params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(0, 0, 0), Map.of(), Map.of()));
  }
}
