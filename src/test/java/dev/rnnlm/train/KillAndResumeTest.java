package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.Checkpoints;
import dev.rnnlm.testutil.CliProcess;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A training driver killed with SIGKILL at random points, twice, and resumed each time, ends
 * with parameters byte-identical to an uninterrupted run: with the per-step algorithm; with
 * local steps between synchronizations and an outer optimizer with momentum (its state is in
 * the checkpoints, which fall at the end of the synchronization that passes every 5th step);
 * with a 2-layer LSTM, dropout and Adam (its moments and step count are in the checkpoints,
 * the dropout masks are drawn again from the same seeds); and with a word model of that LSTM with
 * a tied embedding and the plateau schedule (its rate follows the validation history, which the
 * checkpoints keep); and with subwords of a BPE learned from the text (the resumed runs take the
 * tokenizer.json of the checkpoint instead of learning it again).
 */
@Tag("bit-identity")
class KillAndResumeTest {
  private static final String[] OPTIONS = {"--epochs", "3", "--hidden", "32", "--batch", "8",
      "--steps", "10", "--max-tokens", "8000", "--partitions", "2", "--seed", "5",
      "--sample-every", "0", "--master", "local[2]"};

  @TempDir
  Path work;

  private List<String> sync;

  static Stream<List<String>> runs() {
    return Stream.of(List.of(), List.of("--sync-every", "4", "--outer-optimizer", "nesterov",
        "--outer-momentum", "0.5", "--outer-lr", "0.8"),
        List.of("--cell", "lstm", "--layers", "2", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01"),
        List.of("--tokens", "word-eos", "--cell", "lstm", "--layers", "2", "--embedding", "32", "--tie-weights",
            "--softmax", "adaptive", "--cutoffs", "50,300", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.02", "--lr-schedule", "plateau",
            "--lr-decay", "0.5", "--val-fraction", "0.1"),
        List.of("--tokens", "bpe", "--vocab-size", "400", "--cell", "gru", "--embedding", "32", "--optimizer", "adam",
            "--lr", "0.01"));
  }

  @ParameterizedTest
  @MethodSource("runs")
  void killedTwiceAndResumedEqualsUninterruptedByteForByte(List<String> sync) throws Exception {
    this.sync = sync;
    Path reference = work.resolve("uninterrupted");
    List<String> args = new ArrayList<>(List.of("--input", SparkTestContext.sampleData().toString(),
        "--model", reference.toString()));
    args.addAll(List.of(OPTIONS));
    args.addAll(sync);
    TrainSettings s = TrainOptions.fromMap(toMap(args));
    new Trainer(SparkTestContext.get(), s, new PrintStream(new ByteArrayOutputStream())).run();

    long seed = System.nanoTime();
    Random random = new Random(seed);
    Path model = work.resolve("interrupted");
    long firstKill = 20 + random.nextInt(60);          // global steps of 297
    long secondKill = firstKill + 40 + random.nextInt(80);
    System.out.printf("kill seed %d: after checkpoints at steps >= %d and >= %d%n", seed, firstKill, secondKill);
    assertTrue(runAndKill(model, false, firstKill), "first run reached step " + firstKill);
    assertTrue(runAndKill(model, true, secondKill), "resumed run reached step " + secondKill);
    Process last = start(model, true);
    assertTrue(last.waitFor(180, TimeUnit.SECONDS), "final resumed run finished");
    assertEquals(0, last.exitValue(), Files.readString(work.resolve("last.log")));
    String log = Files.readString(work.resolve("last.log"));
    assertTrue(log.contains("resume: from"), log);

    assertArrayEquals(Files.readAllBytes(reference.resolve(ModelStore.PARAMS_FILE)),
        Files.readAllBytes(model.resolve(ModelStore.PARAMS_FILE)));
    assertEquals(3, Files.readAllLines(model.resolve(ModelStore.METRICS_FILE)).size());
  }

  /** Starts training (resuming or not) and kills it once a checkpoint at or after the step exists. */
  private boolean runAndKill(Path model, boolean resume, long step) throws Exception {
    Process p = start(model, resume);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (Checkpoints.newestStep(model) >= step) {
          p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
          p.waitFor(30, TimeUnit.SECONDS);
          return true;
        }
        Thread.sleep(20);
      }
      return false;
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Process start(Path model, boolean resume) throws IOException {
    List<String> args = new ArrayList<>(List.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--checkpoint-every-steps", "5"));
    args.addAll(List.of(OPTIONS));
    args.addAll(sync);
    if (resume) {
      args.add("--resume");
    }
    return CliProcess.start("1g", work.resolve(resume ? "last.log" : "first.log"), args);
  }

  /** Command-line options as option values by name; a flag (no value follows) is "true". */
  private static java.util.Map<String, String> toMap(List<String> args) {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      boolean flag = i + 1 == args.size() || args.get(i + 1).startsWith("--");
      m.put(args.get(i).substring(2), flag ? "true" : args.get(++i));
    }
    return m;
  }
}
