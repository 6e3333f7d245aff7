package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RnnLM after an SQL transformation in a Pipeline: fitted, used, saved and loaded; the saved
 * model read by the command line.
 */
class RnnLMPipelineTest {
  private static final String PREFIX_AND_TEXT = "SELECT lower(value) AS text,"
      + " substr(lower(value), 1, 12) AS prefix FROM __THIS__ WHERE length(trim(value)) > 0";
  private static final int LENGTH = 40;
  private static final double TEMPERATURE = 0.8;
  private static final int TOP_K = 5;
  private static final long SEED = 7;

  @TempDir
  static Path work;
  private static Dataset<Row> lines;
  private static PipelineModel fitted;
  private static List<Row> transformed;
  private static Path saved;

  @BeforeAll
  static void fitTransformAndSave() throws IOException {
    lines = MlFixtures.rows(MlFixtures.sampleLines(150), "value", 2);
    RnnLM lm = new RnnLM().setHidden(16).setBatchSize(8).setSteps(10).setEpochs(2).setSeed(3)
        .setStagingDir(work.resolve("staging").toString());
    fitted = new Pipeline()
        .setStages(new PipelineStage[] {new SQLTransformer().setStatement(PREFIX_AND_TEXT), lm})
        .fit(lines);
    model(fitted).setPrefixCol("prefix").setLength(LENGTH).setTemperature(TEMPERATURE)
        .setTopK(TOP_K).setGenerationSeed(SEED);
    transformed = fitted.transform(lines).collectAsList();
    saved = work.resolve("pipeline");
    fitted.write().save(saved.toString());
  }

  private static RnnLMModel model(PipelineModel pipeline) {
    return (RnnLMModel) pipeline.stages()[1];
  }

  /** Where the pipeline saved the RnnLMModel stage: a model directory of the command line. */
  private static Path savedStage() throws IOException {
    try (Stream<Path> stages = Files.list(saved.resolve("stages"))) {
      return stages.filter(p -> Files.exists(p.resolve("model.json"))).findFirst().orElseThrow();
    }
  }

  @Test
  void transformAddsScoresAndGeneratedTextToEveryRow() {
    List<String> columns = List.of(fitted.transform(lines).columns());
    assertEquals(List.of("text", "prefix", "perplexity", "log_likelihood", "tokens", "generated"), columns);
    for (Row row : transformed) {
      String text = row.getString(0);
      double perplexity = row.getDouble(2);
      double logLikelihood = row.getDouble(3);
      long tokens = row.getLong(4);
      assertEquals(text.codePointCount(0, text.length()), tokens,
          "every character and the line break, less the first, are predicted: " + text);
      assertEquals(Math.exp(-logLikelihood / tokens), perplexity, 1e-9 * perplexity);
      assertTrue(row.getString(5).startsWith(row.getString(1)), "generated text continues its prefix");
    }
    assertTrue(new HashSet<>(transformed.stream().map(r -> r.getString(5)).toList()).size() > 1,
        "rows with different prefixes continue differently");
  }

  @Tag("bit-identity")
  @Test
  void loadedPipelineGivesIdenticalColumns() {
    PipelineModel loaded = PipelineModel.load(saved.toString());
    assertEquals(transformed, loaded.transform(lines).collectAsList());
    RnnLMModel model = model(loaded);
    assertEquals(model(fitted).uid(), model.uid());
    assertEquals(TOP_K, model.getTopK());
    assertEquals(model(fitted).summary().epochs(), model.summary().epochs(),
        "the summary survives save and load");
    assertEquals(2, model.summary().epochs().size());
  }

  @Test
  void cliGenerateOnTheSavedModelPrintsTheGeneratedColumn() throws IOException {
    String model = savedStage().toString();
    for (Row row : transformed.subList(0, 5)) {
      CliRun generate = CliRun.of("generate", "--model", model, "--prefix", row.getString(1),
          "--length", Integer.toString(LENGTH), "--temperature", Double.toString(TEMPERATURE),
          "--top-k", Integer.toString(TOP_K), "--seed", Long.toString(SEED));
      assertEquals(0, generate.exitCode(), generate.err());
      assertEquals(row.getString(5) + System.lineSeparator(), generate.out());
    }
  }

  /**
   * A row is scored as {@code rnnlm evaluate} scores a file holding that row: the same tokens,
   * and the same perplexity within 1e-6 relative (transform scores its rows in groups, whose
   * products have a row per text and round differently in the last bits).
   */
  @Test
  void cliEvaluateOfARowPrintsItsPerplexityColumn() throws IOException {
    for (int r : new int[] {0, 3, 7}) {
      Row row = transformed.get(r);
      Path file = MlFixtures.linesFile(work.resolve("row" + r + ".txt"), List.of(row.getString(0)));
      CliRun evaluate = CliRun.of("evaluate", "--model", savedStage().toString(), "--input",
          file.toString(), "--json");
      assertEquals(0, evaluate.exitCode(), evaluate.err());
      java.util.regex.Matcher json = java.util.regex.Pattern
          .compile("^\\{\"perplexity\": (\\S+), \"tokens\": (\\d+), \"oov_rate\": ").matcher(evaluate.out());
      assertTrue(json.find(), evaluate.out());
      double perplexity = Double.parseDouble(json.group(1));
      assertEquals(row.getDouble(2), perplexity, 1e-6 * perplexity, "row " + r);
      assertEquals(row.getLong(4), Long.parseLong(json.group(2)), "row " + r);
    }
  }

  @Test
  void aCommandLineModelDirectoryScoresAsTheFittedModel() throws IOException {
    RnnLMModel fromDirectory = RnnLMModel.fromModelDirectory(lines.sparkSession(), savedStage().toString());
    assertEquals(model(fitted).summary().epochs(), fromDirectory.summary().epochs());
    Dataset<Row> texts = fitted.stages()[0].transform(lines);   // text, prefix
    List<Row> scored = fromDirectory.transform(texts).collectAsList();
    assertEquals(transformed.size(), scored.size());
    for (int r = 0; r < scored.size(); r++) {
      // Default params: no generation; text, prefix, perplexity, log_likelihood, tokens.
      assertEquals(transformed.get(r).getDouble(2), scored.get(r).getDouble(2), "row " + r);
      assertEquals(transformed.get(r).getLong(4), scored.get(r).getLong(4), "row " + r);
    }
  }

  @Test
  void savedModelIsAModelDirectoryOfTheCommandLine() throws IOException {
    Path dir = work.resolve("model");
    model(fitted).write().save(dir.toString());
    CliRun inspect = CliRun.of("inspect", "--model", dir.toString());
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(inspect.out().contains("training: epochs 2"), inspect.out());
    assertTrue(inspect.out().contains("last metrics: {\"epoch\":2,"), inspect.out());
    assertTrue(Files.exists(dir.resolve("training.png")));
    RnnLMModel loaded = RnnLMModel.load(dir.toString());
    assertEquals("prefix", loaded.getPrefixCol());
    assertEquals(model(fitted).trainingOptions(), loaded.trainingOptions());
  }

  @Test
  void estimatorAndUnfittedPipelineSaveAndLoadTheirParams() throws IOException {
    RnnLM lm = new RnnLM().setHidden(24).setNormalize("d2l").setInputCol("body").setLr(0.25);
    lm.write().save(work.resolve("estimator").toString());
    RnnLM loaded = RnnLM.load(work.resolve("estimator").toString());
    assertEquals(lm.uid(), loaded.uid());
    assertEquals(lm.extractParamMap().toString(), loaded.extractParamMap().toString());

    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {lm});
    pipeline.write().save(work.resolve("unfitted").toString());
    RnnLM stage = (RnnLM) Pipeline.load(work.resolve("unfitted").toString()).getStages()[0];
    assertEquals(24, stage.getHidden());
    assertEquals("d2l", stage.getNormalize());
    assertEquals(0.25, stage.getLr());
  }

  @Test
  void nullTextGetsNullScoresAndAOneTokenRowNoPerplexity() {
    Dataset<Row> rows = MlFixtures.rows(Arrays.asList(null, "", "a"), "text", 1);
    List<Row> scored = model(fitted).copy(ParamMap.empty())
        .setPrefixCol("").transform(rows).collectAsList();
    assertNull(scored.get(0).get(1));
    assertNull(scored.get(0).get(3));
    assertNull(scored.get(1).get(1), "a line break alone predicts nothing");
    assertEquals(0.0, scored.get(1).getDouble(2));
    assertEquals(0L, scored.get(1).getLong(3));
    assertNotNull(scored.get(2).get(1), "'a' then the line break: one prediction");
    assertEquals(1L, scored.get(2).getLong(3));
  }
}
