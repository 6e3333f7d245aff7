package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rnnlm.cli.CliRun;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code RnnLM.fit} is {@code rnnlm train} on a file holding the column's rows as lines. */
@Tag("bit-identity")
class RnnLMEqualsTrainTest {
  @TempDir
  Path work;

  /**
   * Rows in four partitions in order, one of them empty; a null row (skipped), an empty row and a
   * row holding two lines (split where the file splits them); a held-out fraction (defined per
   * file: the rows are one file, or the split differs) and every training param away from its
   * default.
   */
  @Test
  void fittedModelEqualsCliTrainedModelByteForByte() throws IOException {
    List<String> rows = new ArrayList<>(MlFixtures.sampleLines(120));
    rows.add(40, null);
    rows.add(60, "");
    rows.set(70, rows.get(70) + "\r\n" + rows.remove(71));
    Dataset<Row> data = MlFixtures.rows(rows.subList(0, 50), "text", 2)
        .union(MlFixtures.rows(List.of(), "text", 1))
        .union(MlFixtures.rows(rows.subList(50, rows.size()), "text", 1));
    assertEquals(4, data.rdd().getNumPartitions());
    List<String> lines = rows.stream().filter(Objects::nonNull).toList();
    RnnLMModel fitted = new RnnLM().setHidden(16).setBatchSize(8).setSteps(10).setEpochs(2)
        .setLr(0.5).setClip(2.0).setSampling("random").setNormalize("lower").setMinFreq(2)
        .setMaxTokens(5000).setMaxVocab(30).setPartitions(2).setSeed(17).setValidationFraction(0.1)
        .setDropout(0.1).setEmbedding(16).setTieWeights(true).setSoftmax("adaptive").setCutoffs("8,20")
        .setStagingDir(work.resolve("staging").toString())
        .fit(data);
    Path mlDir = work.resolve("ml");
    fitted.write().save(mlDir.toString());

    Path cliDir = work.resolve("cli");
    CliRun train = CliRun.of("train", "--input", MlFixtures.linesFile(work.resolve("lines.txt"), lines).toString(),
        "--model", cliDir.toString(), "--hidden", "16", "--batch", "8", "--steps", "10",
        "--epochs", "2", "--lr", "0.5", "--clip", "2.0", "--sampling", "random",
        "--normalize", "lower", "--min-freq", "2", "--max-tokens", "5000", "--max-vocab", "30",
        "--partitions", "2", "--seed", "17", "--val-fraction", "0.1",
        "--dropout", "0.1", "--embedding", "16", "--tie-weights", "--softmax", "adaptive",
        "--cutoffs", "8,20");
    assertEquals(0, train.exitCode(), train.err());

    assertArrayEquals(Files.readAllBytes(cliDir.resolve(ModelStore.PARAMS_FILE)),
        Files.readAllBytes(mlDir.resolve(ModelStore.PARAMS_FILE)), "parameters.bin");
    assertArrayEquals(Files.readAllBytes(cliDir.resolve(ModelStore.VOCAB_FILE)),
        Files.readAllBytes(mlDir.resolve(ModelStore.VOCAB_FILE)), "vocab.json");
    ModelStore store = new ModelStore(new Configuration());
    SavedModel cli = store.load(cliDir.toString());
    SavedModel ml = store.load(mlDir.toString());
    assertEquals(withoutInput(cli.training()), withoutInput(ml.training()), "training options");
    assertEquals(cli.position(), ml.position(), "training position");
    assertEquals(perplexities(store.readMetrics(cliDir.toString())),
        perplexities(store.readMetrics(mlDir.toString())), "per-epoch training and validation perplexities");
  }

  private static Map<String, String> withoutInput(Map<String, String> options) {
    Map<String, String> rest = new LinkedHashMap<>(options);
    rest.remove("input");
    return rest;
  }

  private static List<List<Number>> perplexities(List<Map<String, Number>> epochs) {
    return epochs.stream().map(e -> List.of(e.get("perplexity"), e.get("val_perplexity"))).toList();
  }
}
