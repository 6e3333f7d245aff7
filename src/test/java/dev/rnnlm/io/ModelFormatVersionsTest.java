package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.model.StackedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model directories of every format version load: version 1 (a model written by the first
 * release, committed under src/test/resources/model/golden-v1: one rnn layer, no "layers" or
 * "dropout" keys), version 2, which records the cell's layers and dropout (golden-v2: a 2-layer
 * LSTM written by the last build of version 2), and version 3, which adds the embedding.
 */
class ModelFormatVersionsTest {
  private static final Path GOLDEN_V1 = Path.of("src/test/resources/model/golden-v1");
  private static final Path GOLDEN_V2 = Path.of("src/test/resources/model/golden-v2");

  @TempDir
  Path work;

  private final ModelStore store = new ModelStore(new Configuration());

  @Test
  void aVersionOneModelLoadsAsTheOneLayerRnnItWas() throws Exception {
    JsonNode written = new ObjectMapper().readTree(GOLDEN_V1.resolve("model.json").toFile());
    assertEquals(1, written.path("version").asInt());
    assertTrue(written.path("layers").isMissingNode());
    SavedModel m = store.load(GOLDEN_V1.toString());
    assertEquals(new Architecture("rnn", 8, 1, 0f), m.architecture());
    assertInstanceOf(RnnModel.class, m.model());
    assertEquals(m.model().layout().size(), m.params().length);
    assertEquals(2, m.position().epochs());
  }

  @Test
  void aVersionTwoModelLoadsAsTheStackedLstmItWasWithoutAnEmbedding() throws Exception {
    JsonNode written = new ObjectMapper().readTree(GOLDEN_V2.resolve("model.json").toFile());
    assertEquals(2, written.path("version").asInt());
    assertTrue(written.path("embedding").isMissingNode());
    SavedModel m = store.load(GOLDEN_V2.toString());
    assertEquals(new Architecture("lstm", 6, 2, 0.25f, 0, false), m.architecture());
    assertEquals(0, m.model().embeddingSize());
    assertEquals(m.model().layout().size(), m.params().length);
    assertEquals(2, m.position().epochs());
  }

  @Test
  void anEmbeddingModelWithTiedWeightsRoundTripsAsVersionFour() throws Exception {
    SavedModel back = roundTrip("tied", new Architecture("lstm", 6, 2, 0.25f, 6, true));
    JsonNode written = new ObjectMapper().readTree(work.resolve("tied/model.json").toFile());
    assertEquals(4, written.path("version").asInt());
    assertEquals(6, written.path("embedding").asInt());
    assertTrue(written.path("tied_weights").asBoolean());
    assertEquals("full", written.path("softmax").asText());
    assertTrue(back.model().tiedWeights());
  }

  @Test
  void anAdaptiveSoftmaxModelRoundTripsWithItsCutoffs() throws Exception {
    SavedModel back = roundTrip("adaptive",
        new Architecture("gru", 16, 1, 0f, 8, false, List.of(2, 5)));
    JsonNode written = new ObjectMapper().readTree(work.resolve("adaptive/model.json").toFile());
    assertEquals("adaptive", written.path("softmax").asText());
    assertEquals("[2,5]", written.path("cutoffs").toString());
    assertEquals(List.of(2, 5), back.model().adaptiveCutoffs());
  }

  /** Saves a model of {@code architecture} (golden v2's vocabulary, seeded parameters) and loads it. */
  private SavedModel roundTrip(String name, Architecture architecture) throws Exception {
    SavedModel v2 = store.load(GOLDEN_V2.toString());
    float[] params = new float[architecture.newModel(v2.vocabulary().size()).layout().size()];
    architecture.newModel(v2.vocabulary().size()).initialize(params, 9);
    String dir = work.resolve(name).toString();
    store.save(dir, new SavedModel(architecture, v2.text(), v2.vocabulary(), params, v2.lineage()));
    SavedModel back = store.load(dir);
    assertEquals(architecture, back.architecture());
    assertArrayEquals(params, back.params());
    return back;
  }

  @Test
  void aVersionOneModelSavedAgainIsTheCurrentVersionWithTheSameParameters() throws Exception {
    SavedModel v1 = store.load(GOLDEN_V1.toString());
    String dir = work.resolve("again").toString();
    store.save(dir, v1);
    JsonNode written = new ObjectMapper().readTree(work.resolve("again/model.json").toFile());
    assertEquals(ModelStore.VERSION_WITHOUT_TOKENIZER, written.path("version").asInt()); // a character model
    assertEquals(1, written.path("layers").asInt());
    SavedModel back = store.load(dir);
    assertArrayEquals(v1.params(), back.params());
    assertEquals(v1.architecture(), back.architecture());
  }

  @Test
  void aStackedLstmRoundTripsWithItsLayersAndDropout() throws Exception {
    SavedModel v1 = store.load(GOLDEN_V1.toString());
    Architecture lstm = new Architecture("lstm", 6, 2, 0.25f);
    float[] params = new float[lstm.newModel(v1.vocabulary().size()).layout().size()];
    lstm.newModel(v1.vocabulary().size()).initialize(params, 9);
    String dir = work.resolve("lstm").toString();
    store.save(dir, new SavedModel(lstm, v1.text(), v1.vocabulary(), params, v1.lineage()));
    SavedModel back = store.load(dir);
    assertEquals(lstm, back.architecture());
    assertInstanceOf(StackedModel.class, back.model());
    assertEquals(2, back.model().layers());
    assertArrayEquals(params, back.params());
  }

  @Test
  void aNewerVersionIsRefusedNamingTheVersion() throws Exception {
    Path dir = work.resolve("future");
    Files.createDirectories(dir);
    for (String f : new String[] {"parameters.bin", "vocab.json"}) {
      Files.copy(GOLDEN_V1.resolve(f), dir.resolve(f));
    }
    Files.writeString(dir.resolve("model.json"),
        Files.readString(GOLDEN_V1.resolve("model.json")).replace("\"version\" : 1", "\"version\" : " + (ModelStore.VERSION + 1)));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> store.load(dir.toString()));
    assertTrue(e.getMessage().contains("version " + (ModelStore.VERSION + 1)), e.getMessage());
  }
}
