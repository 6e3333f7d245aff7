package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The Spark ML API with subword tokens: fit learns a BPE from the rows, transform scores through it. */
class RnnLMSubwordTest {
  @Test
  void aBpeFittedOnRowsScoresEachRowByTheTokenizersIds() throws Exception {
    List<String> lines = MlFixtures.sampleLines(120);
    RnnLMModel model = new RnnLM().setTokens("bpe").setVocabSize(320).setEmbedding(16).setHidden(16)
        .setEpochs(1).setBatchSize(4).setSteps(10).setSeed(2).fit(MlFixtures.rows(lines, "text", 2));
    byte[] json = model.savedModel().text().subwords().json();
    List<String> texts = List.of("The clockmaker wound the great clock.", "Gears, springs \u2014 and caf\u00e9s.");
    List<Row> scored = model.transform(MlFixtures.rows(texts, "text", 1)).select("text", "tokens")
        .collectAsList();
    try (HuggingFaceTokenizer library = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
        Map.of("addSpecialTokens", "false"))) {
      for (Row row : scored) {
        // A row is scored as a file holding it: the line and its line break; the first id is not predicted.
        int ids = library.encode(row.getString(0) + "\n", false, false).getIds().length;
        assertEquals(ids - 1, row.getLong(1), row.getString(0));
      }
    }
    assertFalse(new String(json, StandardCharsets.UTF_8).isEmpty());
  }
}
