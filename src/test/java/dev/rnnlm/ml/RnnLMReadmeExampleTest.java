package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented Spark ML examples: the Java one in the README is this test's code; the
 * spark-shell one in the command reference compiles.
 */
class RnnLMReadmeExampleTest {
  private static final Path README = Paths.get("README.md");
  private static final Path COMMANDS = Paths.get("src/site/markdown/commands.md");
  private static final Path THIS_FILE = Paths.get("src/test/java/dev/rnnlm/ml/RnnLMReadmeExampleTest.java");
  private static final String SECTION = "## Spark ML API";

  @TempDir
  Path work;

  @Test
  void readmeJavaExampleRuns() throws IOException {
    SparkSession spark = MlFixtures.spark();
    String path = work.resolve("rnnlm-pipeline").toString();
    // README begin
    Dataset<Row> lines = spark.read().text("sample-data");
    SQLTransformer clean = new SQLTransformer().setStatement(
        "SELECT lower(value) AS text FROM __THIS__ WHERE length(trim(value)) > 0");
    RnnLM lm = new RnnLM().setHidden(32).setBatchSize(16).setSteps(20).setEpochs(2)
        .setMaxTokens(20000).setSeed(3);
    new Pipeline().setStages(new PipelineStage[] {clean, lm}).fit(lines).write().save(path);
    RnnLMModel model = (RnnLMModel) PipelineModel.load(path).stages()[1];
    System.out.println(Arrays.toString(model.summary().perplexityHistory()));
    Dataset<Row> prompts = spark.createDataset(List.of("the clock", "copper lane"), Encoders.STRING())
        .toDF("text");
    model.setPrefixCol("text").setLength(60).setTemperature(0.8).setGenerationSeed(1)
        .transform(prompts).show(false);
    // README end
    assertEquals(2, model.summary().perplexityHistory().length);
    List<Row> generated = model.transform(prompts).select("generated").collectAsList();
    assertTrue(generated.get(0).getString(0).startsWith("the clock"), generated.toString());
  }

  @Test
  void readmeJavaExampleIsTheCodeThisTestRuns() throws IOException {
    String source = Files.readString(THIS_FILE, StandardCharsets.UTF_8);
    String region = source.substring(source.indexOf("// README begin\n") + "// README begin\n".length(),
        source.indexOf("    // README end"));
    String unindented = region.lines().map(l -> l.replaceFirst("^ {4}", "")).reduce("", (a, l) -> a + l + "\n");
    assertEquals(block(README, "java"), unindented);
  }

  /** The command reference's spark-shell example, inside a method that provides the shell's {@code spark} and implicits. */
  @Test
  void readmeScalaExampleCompiles() throws IOException {
    String indented = block(COMMANDS, "scala").indent(4);
    Path source = work.resolve("ReadmeExample.scala");
    Files.writeString(source, "object ReadmeExample {\n"
        + "  def run(spark: org.apache.spark.sql.SparkSession): Unit = {\n"
        + "    import spark.implicits._\n" + indented + "  }\n}\n");
    Path classes = Files.createDirectory(work.resolve("classes"));
    boolean compiled = scala.tools.nsc.Main.process(new String[] {
        "-classpath", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        "-d", classes.toString(), source.toString()});
    assertTrue(compiled, "the Scala example in " + COMMANDS + " compiles (errors above)");
    assertTrue(Files.exists(classes.resolve("ReadmeExample.class")));
  }

  /** The first fenced block of {@code language} in the file's section, without the fences. */
  private static String block(Path file, String language) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int section = text.indexOf("\n" + SECTION + "\n");
    assertTrue(section >= 0, file + " has a section " + SECTION);
    String fence = "```" + language + "\n";
    int at = text.indexOf(fence, section);
    assertTrue(at >= 0, file + " has a " + language + " block in " + SECTION);
    int start = at + fence.length();
    return text.substring(start, text.indexOf("```\n", start));
  }
}
