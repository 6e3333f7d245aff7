package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gets one error line naming the problem and the value, and a non-zero exit. */
class CliErrorsTest {
  @TempDir
  Path work;

  private String sample() {
    return SparkTestContext.sampleData().toString();
  }

  /** Runs the command and checks: non-zero exit, one line on stderr, containing every fragment. */
  static void assertFailsWith(String[] args, String... fragments) {
    CliRun run = CliRun.of(args);
    assertNotEquals(0, run.exitCode(), "exit code for " + String.join(" ", args));
    String err = run.err().strip();
    assertEquals(1, err.lines().count(), "one error line, got: " + err);
    for (String f : fragments) {
      assertTrue(err.contains(f), "'" + f + "' in: " + err);
    }
  }

  @Test
  void missingInputPathIsNamed() {
    String missing = work.resolve("nope.txt").toString();
    assertFailsWith(new String[] {"train", "--input", missing, "--model", work.resolve("m").toString()},
        "does not exist", missing);
    assertFalse(Files.exists(work.resolve("m").resolve("model.json")));
  }

  @Test
  void emptyInputHasNoTokens() throws IOException {
    Path empty = Files.createDirectories(work.resolve("empty"));
    Files.writeString(empty.resolve("a.txt"), "");
    assertFailsWith(new String[] {"train", "--input", empty.toString(), "--model", work.resolve("m").toString()},
        "no tokens in input", empty.toString());
  }

  @Test
  void corpusTooSmallForTheBatchIsReported() throws IOException {
    Path tiny = Files.writeString(work.resolve("tiny.txt"), "just a few words\n");
    assertFailsWith(new String[] {"train", "--input", tiny.toString(), "--model", work.resolve("m").toString()},
        "corpus too small", "17 tokens");
  }

  @Test
  void aDirectoryThatIsNotAModelIsRejected() {
    String dir = work.toString();
    assertFailsWith(new String[] {"generate", "--model", dir, "--prefix", "the"}, "not a model directory", dir);
    assertFailsWith(new String[] {"evaluate", "--model", dir, "--input", sample()}, "not a model directory", dir);
  }

  @Test
  void nonPositiveSizesAndRatesAreRejected() {
    String m = work.resolve("m").toString();
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--hidden", "0"}, "--hidden", "0");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--batch", "-3"}, "--batch", "-3");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--steps", "0"}, "--steps", "0");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--epochs", "0"}, "--epochs", "0");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--lr", "-0.5"}, "--lr", "-0.5");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--clip", "0"}, "--clip", "0");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", m, "--hidden", "abc"}, "--hidden", "abc");
  }

  @Test
  void adaptiveSoftmaxOptionsAreCheckedTogetherAndAgainstTheVocabulary() {
    String m = work.resolve("m").toString();
    String[] train = {"train", "--input", sample(), "--model", m, "--epochs", "1"};
    assertFailsWith(concat(train, "--softmax", "adaptive"), "--softmax adaptive needs --cutoffs");
    assertFailsWith(concat(train, "--cutoffs", "10,20"), "--cutoffs 10,20", "--softmax adaptive");
    assertFailsWith(concat(train, "--softmax", "adaptive", "--cutoffs", "30,20"), "increasing", "30,20");
    assertFailsWith(concat(train, "--softmax", "adaptive", "--cutoffs", "10,abc"), "--cutoffs", "10,abc");
    assertFailsWith(concat(train, "--softmax", "sampled"), "--softmax", "sampled");
    // the sample's character vocabulary has fewer than 1,000 ids
    assertFailsWith(concat(train, "--softmax", "adaptive", "--cutoffs", "1000"), "cutoffs", "1000",
        "the vocabulary has");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void streamCountsBelowOneAreRejected() {
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", work.resolve("m").toString(),
        "--val-fraction", "0.1", "--val-streams", "-1"}, "--val-streams", "-1");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", work.resolve("m").toString(),
        "--val-fraction", "0.1", "--val-streams", "many"}, "--val-streams", "many");
    String model = work.resolve("no-model").toString();
    assertFailsWith(new String[] {"evaluate", "--model", model, "--input", sample(), "--streams", "0"},
        "--streams", "0");
    assertFailsWith(new String[] {"evaluate", "--model", model, "--input", sample(), "--streams", "ten"},
        "--streams", "ten");
  }

  @Test
  void morePartitionsThanBatchIsRejected() {
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", work.resolve("m").toString(),
        "--batch", "4", "--partitions", "8"}, "--partitions", "8", "4");
  }

  @Test
  void unknownOptionsAndCommandsAreRejected() {
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", "x", "--epoch", "3"}, "--epoch");
    assertFailsWith(new String[] {"fly", "--model", "x"}, "unknown command", "fly");
    assertFailsWith(new String[] {"train", "--input", sample(), "--model", "x", "--sampling", "shuffled"},
        "--sampling", "shuffled");
  }

  @Test
  void configFileKeysAreOptionsAndFlagsOverrideThem() throws IOException {
    Path config = Files.writeString(work.resolve("bad.properties"), "epochs=2\nhiden=12\n");
    assertFailsWith(new String[] {"train", "--config", config.toString(), "--input", sample(), "--model", "x"},
        "hiden", config.toString());
    Path ok = Files.writeString(work.resolve("ok.properties"), "hidden=0\n");
    // --hidden on the command line wins over the file's invalid value; the file's value alone fails.
    assertFailsWith(new String[] {"train", "--config", ok.toString(), "--input", sample(), "--model", "x"},
        "--hidden", "0");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"train", "generate", "evaluate"}) {
      CliRun run = CliRun.of(command, "--help");
      assertEquals(0, run.exitCode(), command);
      assertTrue(run.out().contains("--model"), run.out());
    }
    CliRun top = CliRun.of("--help");
    assertEquals(0, top.exitCode());
    assertTrue(top.out().contains("train") && top.out().contains("evaluate"), top.out());
  }
}
