package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.model.Tensor;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --top-k --top-p --num-samples --stop-at} through the CLI, on model
 * directories whose next-token distribution is fixed (no training, no Spark job).
 */
class GenerateOptionsTest {
  /**
   * Characters and their probabilities at every step: ranked a (.35), b (.25), c (.15),
   * space (.14), '.' (.10), then {@code <unk>} (.01).
   */
  private static final List<String> CHARS = List.of(Vocabulary.UNKNOWN, "a", "b", "c", ".", " ");
  private static final double[] CHAR_PROBS = {0.01, 0.35, 0.25, 0.15, 0.10, 0.14};

  private static final List<String> WORDS = List.of(Vocabulary.UNKNOWN, "the", "cat", "sat.");
  private static final double[] WORD_PROBS = {0.01, 0.4, 0.35, 0.24};

  @TempDir
  static Path work;
  private static String chars;
  private static String words;

  @BeforeAll
  static void saveFixedModels() throws IOException {
    chars = save("chars", CHARS, CHAR_PROBS, Tokenizer.CHAR);
    words = save("words", WORDS, WORD_PROBS, Tokenizer.WORD);
  }

  /** A model whose logits are log(probs) at every step: all weights zero, b_q = the logits. */
  private static String save(String name, List<String> tokens, double[] probs, Tokenizer tokenizer)
      throws IOException {
    int hidden = 4;
    RnnModel m = new RnnModel(tokens.size(), hidden);
    float[] params = new float[m.layout().size()];
    Tensor bq = m.layout().tensor("b_q");
    for (int j = 0; j < probs.length; j++) {
      params[bq.offset() + j] = (float) Math.log(probs[j]);
    }
    String dir = work.resolve(name).toString();
    new ModelStore(new Configuration()).save(dir, new SavedModel(Architecture.rnn(hidden),
        new TextPipeline(Normalizer.NONE, tokenizer), Vocabulary.ofTokens(tokens), params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(0, 0, 0), Map.of(), Map.of())));
    return dir;
  }

  private static CliRun generate(String model, String prefix, int length, String... options) {
    List<String> args = new ArrayList<>(List.of("generate", "--model", model, "--prefix", prefix,
        "--length", Integer.toString(length)));
    args.addAll(Arrays.asList(options));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertEquals(0, run.exitCode(), run.err());
    return run;
  }

  /** The one sample printed, without its line terminator. */
  private static String single(CliRun run) {
    String out = run.out();
    assertTrue(out.endsWith("\n"), out);
    return out.substring(0, out.length() - 1);
  }

  /** The samples printed, split at the separator lines. */
  private static List<String> samples(CliRun run) {
    return List.of(single(run).split("\n---\n", -1));
  }

  private static Set<String> charactersAfter(String prefix, String text) {
    assertTrue(text.startsWith(prefix), text);
    Set<String> s = new TreeSet<>();
    text.substring(prefix.length()).codePoints().forEach(c -> s.add(Character.toString(c)));
    return s;
  }

  @Test
  void greedyWithoutSamplingOptionsIsUnchanged() {
    assertEquals("ca" + "a".repeat(20), single(generate(chars, "ca", 20)));
    assertEquals(single(generate(chars, "ca", 20)), single(generate(chars, "ca", 20, "--seed", "9")));
  }

  @Test
  void topKThroughTheCliEmitsOnlyTheKMostLikelyTokens() {
    String out = single(generate(chars, "c", 500, "--top-k", "2", "--seed", "4"));
    assertEquals(Set.of("a", "b"), charactersAfter("c", out));
    out = single(generate(chars, "c", 500, "--top-k", "4", "--temperature", "2", "--seed", "4"));
    assertEquals(Set.of("a", "b", "c", " "), charactersAfter("c", out));
  }

  @Test
  void topPThroughTheCliKeepsTheSmallestNucleus() {
    // Cumulative .35, .60, .75: p = .7 needs a, b and c.
    String out = single(generate(chars, "c", 500, "--top-p", "0.7", "--seed", "4"));
    assertEquals(Set.of("a", "b", "c"), charactersAfter("c", out));
    // Top-2 first (a .583, b .417), then p = .5 keeps a alone.
    assertEquals("c" + "a".repeat(50), single(generate(chars, "c", 50, "--top-k", "2", "--top-p", "0.5")));
  }

  @Test
  void topKOrTopPWithoutTemperatureSampleAtTemperatureOne() {
    assertEquals(generate(chars, "a", 200, "--top-k", "3", "--temperature", "1", "--seed", "8").out(),
        generate(chars, "a", 200, "--top-k", "3", "--seed", "8").out());
    assertEquals(generate(chars, "a", 200, "--top-p", "0.9", "--temperature", "1", "--seed", "8").out(),
        generate(chars, "a", 200, "--top-p", "0.9", "--seed", "8").out());
    assertNotEquals(generate(chars, "a", 200, "--top-k", "3", "--temperature", "3", "--seed", "8").out(),
        generate(chars, "a", 200, "--top-k", "3", "--seed", "8").out());
  }

  @Test
  void sameSeedSameOutputDifferentSeedDifferentOutput() {
    String[] options = {"--top-k", "5", "--top-p", "0.95", "--seed"};
    String a = generate(chars, "ab", 200, concat(options, "21")).out();
    assertEquals(a, generate(chars, "ab", 200, concat(options, "21")).out());
    assertNotEquals(a, generate(chars, "ab", 200, concat(options, "22")).out());
  }

  @Test
  void numSamplesPrintsIndependentSamplesSeparatedByDashesAndSampleZeroIsTheSingleSample() {
    String one = single(generate(chars, "ab", 80, "--temperature", "1", "--seed", "5"));
    assertEquals(one, single(generate(chars, "ab", 80, "--temperature", "1", "--seed", "5",
        "--num-samples", "1")));
    List<String> three = samples(generate(chars, "ab", 80, "--temperature", "1", "--seed", "5",
        "--num-samples", "3"));
    assertEquals(3, three.size(), three.toString());
    assertEquals(one, three.get(0));
    assertEquals(3, Set.copyOf(three).size(), "independent samples differ: " + three);
    for (String s : three) {
      // 80 tokens after the prefix; "<unk>" is one token.
      assertTrue(s.startsWith("ab") && s.replace(Vocabulary.UNKNOWN, "?").length() == 82, s);
    }
    // Each sample depends only on the seed and its index.
    assertEquals(three, samples(generate(chars, "ab", 80, "--temperature", "1", "--seed", "5",
        "--num-samples", "3")));
    assertEquals(three.subList(0, 2), samples(generate(chars, "ab", 80, "--temperature", "1",
        "--seed", "5", "--num-samples", "2")));
  }

  @Test
  void stopAtEndsTheOutputRightAfterTheFirstOccurrenceInTheGeneratedText() {
    String prefix = "a.b";   // the prefix's own '.' does not count
    for (String stop : List.of(".", "ba", " c", "cab")) {
      String full = single(generate(chars, prefix, 400, "--temperature", "1", "--seed", "6"));
      String generated = full.substring(prefix.length());
      int at = generated.indexOf(stop);
      assertTrue(at >= 0 && at + stop.length() < generated.length() - 1,
          "fixture: '" + stop + "' occurs in " + generated);
      String expected = prefix + generated.substring(0, at + stop.length());
      assertEquals(expected, single(generate(chars, prefix, 400, "--temperature", "1", "--seed", "6",
          "--stop-at", stop)), "stop at '" + stop + "'");
    }
  }

  @Test
  void stopAtAppliesToEachSample() {
    List<String> samples = samples(generate(chars, "ab", 400, "--temperature", "1", "--seed", "2",
        "--num-samples", "4", "--stop-at", "."));
    assertEquals(4, samples.size());
    for (String s : samples) {
      String generated = s.substring(2);
      assertTrue(generated.endsWith(".") && generated.indexOf('.') == generated.length() - 1, s);
    }
  }

  @Test
  void stopAtThatNeverOccursKeepsTheFullLength() {
    assertEquals(generate(chars, "ab", 120, "--temperature", "1", "--seed", "3").out(),
        generate(chars, "ab", 120, "--temperature", "1", "--seed", "3", "--stop-at", "xyz").out());
    // Greedy only ever adds 'a': "b" never occurs after the prefix.
    assertEquals("ab" + "a".repeat(30), single(generate(chars, "ab", 30, "--stop-at", "b")));
  }

  @Test
  void stopAtOnAWordModelCutsTheSpaceJoinedTextEvenInsideAToken() {
    String full = single(generate(words, "the cat", 200, "--temperature", "1", "--seed", "1"));
    String generated = full.substring("the cat ".length());
    // Whole words, the inside of a word (the output ends mid-token), across the space.
    for (String stop : List.of("sat.", "sa", "at", ". c", "e c")) {
      int at = generated.indexOf(stop);
      assertTrue(at >= 0, "fixture: '" + stop + "' occurs in " + generated);
      assertEquals("the cat " + generated.substring(0, at + stop.length()),
          single(generate(words, "the cat", 200, "--temperature", "1", "--seed", "1", "--stop-at", stop)),
          "stop at '" + stop + "'");
    }
  }

  /** Runs the command and checks: exit 1, one line on stderr, equal to the expected message. */
  private static void assertRejected(String message, String... options) {
    List<String> args = new ArrayList<>(List.of("generate", "--model", chars, "--prefix", "ab"));
    args.addAll(Arrays.asList(options));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertEquals(1, run.exitCode(), "exit code for " + args);
    assertEquals("", run.out());
    String err = run.err().strip();
    assertEquals(1, err.lines().count(), "one error line, got: " + err);
    assertEquals("error: " + message, err);
  }

  @Test
  void invalidSamplingOptionsAreRejectedWithOneErrorLine() {
    assertRejected("--top-k must be >= 1, got 0", "--top-k", "0");
    assertRejected("--top-k must be >= 1, got -3", "--top-k", "-3", "--temperature", "1");
    assertRejected("--top-k must be an integer, got '2.5'", "--top-k", "2.5");
    assertRejected("--top-p must be in (0, 1], got 1.5", "--top-p", "1.5");
    assertRejected("--top-p must be in (0, 1], got 0", "--top-p", "0");
    assertRejected("--top-p must be in (0, 1], got -0.2", "--top-p", "-0.2");
    assertRejected("--top-p must be a number, got 'most'", "--top-p", "most");
    assertRejected("--temperature must be > 0, got 0", "--temperature", "0", "--top-k", "2");
    assertRejected("--num-samples must be >= 1, got 0", "--num-samples", "0", "--temperature", "1");
    assertRejected("--num-samples above 1 needs sampling (--temperature, --top-k or --top-p): "
        + "greedy samples are all the same, got 3", "--num-samples", "3");
    assertRejected("--stop-at must not be empty", "--stop-at", "");
  }

  private static String[] concat(String[] a, String b) {
    String[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
