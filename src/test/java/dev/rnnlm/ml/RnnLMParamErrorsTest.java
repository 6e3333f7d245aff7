package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rnnlm.cli.CliRun;
import dev.rnnlm.data.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad params and columns fail when {@code fit} runs (not when set), with one message naming
 * the param and the value: the command line's message, in param names.
 */
class RnnLMParamErrorsTest {
  @TempDir
  static Path work;
  private static Dataset<Row> text;

  @BeforeAll
  static void corpus() throws IOException {
    text = MlFixtures.rows(MlFixtures.sampleLines(60), "text", 2)
        .withColumn("n", functions.lit(7));
  }

  private static RnnLM tiny() {
    return new RnnLM().setHidden(16).setBatchSize(8).setSteps(10).setEpochs(1)
        .setStagingDir(work.resolve("staging").toString());
  }

  static Stream<Arguments> badParams() {
    return Stream.of(
        bad(lm -> lm.setHidden(-3), "hidden must be > 0, got -3"),
        bad(lm -> lm.setCell("gru2"), "cell must be one of [rnn, gru, lstm], got gru2"),
        bad(lm -> lm.setLayers(0), "layers must be >= 1, got 0"),
        bad(lm -> lm.setOptimizer("adamx"), "optimizer must be one of [sgd, momentum, adam, adamw, rmsprop, adagrad], got adamx"),
        bad(lm -> lm.setMinFreq(-1), "minFreq must be >= 0, got -1"),
        bad(lm -> lm.setLr(0), "lr must be > 0, got 0.0"),
        bad(lm -> lm.setPartitions(9), "partitions must be at most batchSize (8), got 9"),
        bad(lm -> lm.setTokens("bytes"), "tokens must be char, word, word-eos or bpe, got 'bytes'"),
        bad(lm -> lm.setTokens("bpe").setVocabSize(100),
            "tokens bpe needs vocabSize N with 256 <= N <= 1048576 (the 256 bytes and the merges learned), got 100"),
        bad(lm -> lm.setTokens("bpe").setVocabSize(300).setMaxVocab(50),
            "maxVocab cannot be used with tokens bpe (vocabSize sets its size)"),
        bad(lm -> lm.setValidationFraction(1.0), "validationFraction must be in [0, 1), got 1.0"),
        bad(lm -> lm.setValidationStreams(-1), "validationStreams must be >= 0, got -1"),
        bad(lm -> lm.setInputCol("txt"), "inputCol 'txt' is not a column of the dataset (columns: text, n)"),
        bad(lm -> lm.setInputCol("n"), "inputCol 'n' must be a string column, got int"));
  }

  private static Arguments bad(UnaryOperator<RnnLM> setting, String message) {
    return Arguments.of(setting, message);
  }

  @ParameterizedTest
  @MethodSource("badParams")
  void badParamFailsAtFitWithOneMessageNamingParamAndValue(UnaryOperator<RnnLM> setting,
                                                           String message) throws IOException {
    RnnLM lm = assertDoesNotThrow(() -> setting.apply(tiny()), "setting a param does not check it");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lm.fit(text));
    assertEquals(message, e.getMessage());
    Path staging = work.resolve("staging");
    assertEquals(List.of(), Files.exists(staging) ? listing(staging) : List.of(),
        "nothing is left in the staging directory");
  }

  /** Found by the trainer after it read the rows: the message names the column. */
  @Test
  void tooSmallCorpusFailsNamingTheColumnAndTheParams() throws IOException {
    InputException e = assertThrows(InputException.class,
        () -> tiny().setBatchSize(64).setSteps(100).fit(text));
    assertEquals("corpus too small: 2946 tokens cannot fill one step of batchSize 64 x steps 100"
        + " (needs at least 6501 tokens)", e.getMessage());
    Path staging = work.resolve("staging");
    assertEquals(List.of(), Files.exists(staging) ? listing(staging) : List.of(),
        "nothing is left in the staging directory");
  }

  @Test
  void emptyColumnFailsNamingTheColumn() {
    InputException e = assertThrows(InputException.class,
        () -> tiny().fit(text.where("length(text) < 0")));
    assertEquals("no tokens in inputCol 'text'", e.getMessage());
  }

  @Test
  void badParamFailsWhenAPipelineContainingItIsFitted() {
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {tiny().setHidden(-3)});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.fit(text));
    assertEquals("hidden must be > 0, got -3", e.getMessage());
  }

  /** The CLI's message with the option's name replaced by the param's: nothing else differs. */
  @Test
  void messagesAreTheCommandLinesWithParamNames() {
    CliRun cli = CliRun.of("train", "--input", "x", "--model", work.resolve("m").toString(),
        "--min-freq", "-1");
    IllegalArgumentException ml = assertThrows(IllegalArgumentException.class,
        () -> tiny().setMinFreq(-1).fit(text));
    assertEquals(cli.err().strip(), "error: " + ml.getMessage().replace("minFreq", "--min-freq"));
  }

  @Test
  void badGenerationParamFailsAtTransformNamingParamAndValue() {
    RnnLMModel model = tiny().fit(text).setPrefixCol("text");
    IllegalArgumentException temperature = assertThrows(IllegalArgumentException.class,
        () -> model.setTemperature(-1).transform(text));
    assertEquals("temperature must be > 0, got -1", temperature.getMessage());
    IllegalArgumentException topP = assertThrows(IllegalArgumentException.class,
        () -> model.setTemperature(1).setTopP(1.5).transform(text));
    assertEquals("topP must be in (0, 1], got 1.5", topP.getMessage());
    IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
        () -> model.setTopP(0.9).setPrefixCol("n").transform(text));
    assertEquals("prefixCol 'n' must be a string column, got int", prefix.getMessage());
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
