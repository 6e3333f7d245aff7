package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three commands through the CLI entry point, on the sample corpus, with real Spark. */
class CliEndToEndTest {
  private static final Pattern EPOCH_LINE = Pattern.compile(
      "^epoch (\\d+) perplexity ([0-9.]+) tokens/s ([0-9]+) grad_norm ([0-9.]+) clipped ([0-9.]+) elapsed ([0-9.]+)s$",
      Pattern.MULTILINE);
  private static final Pattern UNIGRAM = Pattern.compile("unigram perplexity ([0-9.]+)");

  @TempDir
  static Path work;
  private static Path model;
  private static CliRun training;

  @BeforeAll
  static void trainOnSampleData() {
    model = work.resolve("model");
    training = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--epochs", "4", "--hidden", "128", "--batch", "32",
        "--steps", "35", "--sample-every", "2", "--seed", "3");
    System.out.println(training.out());
  }

  @Test
  void trainingPerplexityFallsWellBelowTheUnigramPerplexity() {
    assertEquals(0, training.exitCode(), training.err());
    List<Double> perplexities = new ArrayList<>();
    Matcher m = EPOCH_LINE.matcher(training.out());
    while (m.find()) {
      perplexities.add(Double.parseDouble(m.group(2)));
    }
    assertEquals(4, perplexities.size(), training.out());
    Matcher u = UNIGRAM.matcher(training.out());
    assertTrue(u.find(), training.out());
    double unigram = Double.parseDouble(u.group(1));
    double first = perplexities.get(0);
    double last = perplexities.get(perplexities.size() - 1);
    System.out.printf("unigram perplexity %.3f, training perplexity %.3f -> %.3f%n", unigram, first, last);
    for (int i = 1; i < perplexities.size(); i++) {
      assertTrue(perplexities.get(i) < perplexities.get(i - 1), "perplexity falls every epoch: " + perplexities);
    }
    assertTrue(last < 0.75 * unigram, "final " + last + " well below unigram " + unigram);
    assertTrue(training.out().contains("sample: "), training.out());
  }

  @Test
  void metricsFileHasOneJsonLinePerEpoch() throws IOException {
    List<String> lines = Files.readAllLines(model.resolve("metrics.jsonl"));
    assertEquals(4, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      assertTrue(line.startsWith("{\"epoch\":" + (i + 1) + ","), line);
      for (String key : List.of("perplexity", "tokens_per_sec", "grad_norm", "clipped_fraction", "seconds")) {
        assertTrue(line.contains("\"" + key + "\":"), key + " in " + line);
      }
    }
  }

  @Test
  void greedyGenerationContinuesThePrefixDeterministically() {
    CliRun a = CliRun.of("generate", "--model", model.toString(), "--prefix", "the keeper", "--length", "60");
    CliRun b = CliRun.of("generate", "--model", model.toString(), "--prefix", "the keeper", "--length", "60");
    assertEquals(0, a.exitCode(), a.err());
    assertTrue(a.out().startsWith("the keeper"), a.out());
    assertTrue(a.out().strip().length() >= "the keeper".length() + 50, a.out());
    assertEquals(a.out(), b.out());
  }

  @Test
  void sampledGenerationDependsOnlyOnTheSeed() {
    String[] base = {"generate", "--model", model.toString(), "--prefix", "the ", "--length", "80",
        "--temperature", "1.0", "--seed"};
    CliRun one = CliRun.of(concat(base, "1"));
    CliRun again = CliRun.of(concat(base, "1"));
    CliRun other = CliRun.of(concat(base, "2"));
    assertEquals(0, one.exitCode(), one.err());
    assertEquals(one.out(), again.out());
    assertTrue(!one.out().equals(other.out()), "different seeds give different samples");
  }

  @Test
  void evaluatePrintsPerplexityAndJson() {
    String text = SparkTestContext.sampleData().resolve("field-notes.txt").toString();
    CliRun plain = CliRun.of("evaluate", "--model", model.toString(), "--input", text);
    assertEquals(0, plain.exitCode(), plain.err());
    Matcher m = Pattern.compile("^perplexity ([0-9.]+)$", Pattern.MULTILINE).matcher(plain.out());
    assertTrue(m.find(), plain.out());
    double perplexity = Double.parseDouble(m.group(1));
    assertTrue(perplexity > 1 && perplexity < 20, "perplexity " + perplexity);

    CliRun json = CliRun.of("evaluate", "--model", model.toString(), "--input", text, "--json");
    assertEquals(0, json.exitCode(), json.err());
    assertTrue(json.out().strip().matches("\\{\"perplexity\": [0-9.E-]+, \"tokens\": \\d+, \"oov_rate\": [0-9.E-]+}"), json.out());
  }

  /**
   * The model is a character model of English text: a text of which a fifth are characters it
   * never saw reports that rate and warns, once, that the perplexity is not a fair figure.
   */
  @Test
  void evaluateReportsTheOutOfVocabularyRateAndWarnsAboveTenPercent() throws IOException {
    Path text = work.resolve("oov.txt");
    try {
      Files.writeString(text, "the clock ".repeat(40) + "\u4e00".repeat(100) + "\n");
      CliRun plain = CliRun.of("evaluate", "--model", model.toString(), "--input", text.toString());
      assertEquals(0, plain.exitCode(), plain.err());
      assertTrue(plain.out().contains("out of vocabulary: 19.96% (100 of 501 tokens are not in the model's vocabulary"), plain.out());
      assertEquals(1, plain.out().lines().filter(l -> l.startsWith("warning: 20.0% of the scored tokens are outside")).count(),
          plain.out());
      CliRun json = CliRun.of("evaluate", "--model", model.toString(), "--input", text.toString(), "--json");
      assertTrue(json.out().strip().endsWith("\"oov_rate\": " + 100.0 / 501 + "}"), json.out());
      assertTrue(json.err().contains("warning: 20.0% of the scored tokens"), json.err());
    } finally {
      Files.deleteIfExists(text);
    }
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
