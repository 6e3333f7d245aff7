package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.Registry;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener added to the trainer hears the whole run in order (each epoch's start, every
 * synchronization, checkpoints within and at the end of epochs, each epoch's end, the finish)
 * with the figures the run writes: its epochs are the lines of {@code metrics.jsonl}, its steps
 * add up to them, its checkpoints are the ones on disk. A retrain's listeners hear the training
 * of the version it writes.
 */
class TrainingListenerTest {
  private static final int EPOCHS = 3;
  private static final int CHECKPOINT_EVERY_STEPS = 4;

  @TempDir
  Path work;

  /** What the listener heard: one entry per call, with copies of the figures. */
  private sealed interface Event {}

  private record Started(int epoch, int steps) implements Event {}

  private record Step(long steps, int epoch, int step, int stepsInEpoch, double lossSum, long tokens,
                      double gradNorm) implements Event {}

  private record Ended(EpochMetrics metrics) implements Event {}

  private record Checkpointed(long steps, String path) implements Event {}

  private record Finished(Trainer.Outcome outcome) implements Event {}

  private static final class Recorder implements TrainingListener {
    final List<Event> events = new ArrayList<>();

    @Override
    public void epochStarted(int epoch, int steps) {
      events.add(new Started(epoch, steps));
    }

    @Override
    public void stepEnded(StepMetrics s) {
      events.add(new Step(s.steps(), s.epoch(), s.step(), s.stepsInEpoch(), s.lossSum(), s.tokens(), s.gradNorm()));
    }

    @Override
    public void epochEnded(EpochMetrics epoch) {
      events.add(new Ended(epoch));
    }

    @Override
    public void checkpointWritten(long steps, String path) {
      events.add(new Checkpointed(steps, path));
    }

    @Override
    public void runFinished(Trainer.Outcome outcome) {
      events.add(new Finished(outcome));
    }
  }

  @Test
  void addedListenerHearsEveryEventInOrderWithTheFiguresOfMetricsFile() throws IOException {
    Path dir = work.resolve("m");
    TrainSettings settings = TrainOptions.fromMap(TrainerDeterminismTest.options(
        "input", SparkTestContext.sampleData().toString(), "model", dir.toString(), "epochs", Integer.toString(EPOCHS),
        "hidden", "16", "batch", "8", "steps", "10", "max-tokens", "4000", "partitions", "2", "seed", "3",
        "sample-every", "0", "val-fraction", "0.1", "checkpoint-every", "1",
        "checkpoint-every-steps", Integer.toString(CHECKPOINT_EVERY_STEPS), "keep-checkpoints", "1000"));
    Recorder heard = new Recorder();
    Trainer.Outcome outcome = new Trainer(SparkTestContext.get(), settings, new PrintStream(new ByteArrayOutputStream()))
        .addListener(heard).run();

    List<Map<String, Number>> metricsFile = new ModelStore(SparkTestContext.get().hadoopConfiguration())
        .readMetrics(dir.toString());
    assertEquals(EPOCHS, metricsFile.size());
    List<String> checkpointsHeard = new ArrayList<>();
    List<Double> perplexities = new ArrayList<>();
    int at = 0;
    long steps = 0;
    List<Event> events = heard.events;
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      Started started = assertInstance(Started.class, events, ++at);
      assertEquals(epoch, started.epoch());
      double lossSum = 0;
      long tokens = 0;
      double normSum = 0;
      int clipped = 0;
      for (int step = 1; step <= started.steps(); step++) {
        Step s = assertInstance(Step.class, events, ++at);
        steps++;
        assertEquals(List.of(steps, epoch, step, started.steps()),
            List.of(s.steps(), s.epoch(), s.step(), s.stepsInEpoch()), "step event " + at);
        lossSum += s.lossSum();
        tokens += s.tokens();
        normSum += s.gradNorm();
        clipped += s.gradNorm() > settings.clip() ? 1 : 0;
        if (steps % CHECKPOINT_EVERY_STEPS == 0 && step < started.steps()) {
          Checkpointed c = assertInstance(Checkpointed.class, events, ++at);
          assertEquals(steps, c.steps());
          checkpointsHeard.add(c.path());
        }
      }
      EpochMetrics m = assertInstance(Ended.class, events, ++at).metrics();
      assertEquals(metricsFile.get(epoch - 1), ModelStore.metricsAsRead(m.asJson()), "epoch " + epoch);
      assertEquals(epoch, m.epoch());
      assertEquals(Math.exp(lossSum / tokens), m.perplexity(), "the steps' losses make the epoch's perplexity");
      assertEquals(normSum / started.steps(), m.gradients().norm(), "the steps' norms make the epoch's mean");
      assertEquals((double) clipped / started.steps(), m.gradients().clippedFraction());
      assertEquals(started.steps(), m.pace().syncs());
      assertTrue(m.valPerplexity() != null, "validated");
      perplexities.add(m.perplexity());
      Checkpointed c = assertInstance(Checkpointed.class, events, ++at);
      assertEquals(steps, c.steps(), "the epoch's checkpoint");
      checkpointsHeard.add(c.path());
    }
    Finished finished = assertInstance(Finished.class, events, ++at);
    assertEquals(events.size(), at, "nothing after the finish");
    assertEquals(outcome, finished.outcome());
    assertEquals(perplexities, outcome.epochPerplexities());
    assertEquals(steps, outcome.model().position().steps());
    List<String> checkpointsOnDisk;
    try (Stream<Path> entries = Files.list(dir.resolve("checkpoints"))) {
      checkpointsOnDisk = entries.filter(p -> p.getFileName().toString().startsWith("step-"))
          .map(p -> p.toAbsolutePath().toString()).sorted().toList();
    }
    assertTrue(checkpointsHeard.size() > EPOCHS, "checkpoints within epochs too: " + checkpointsHeard);
    assertEquals(checkpointsOnDisk, checkpointsHeard.stream().map(p -> Path.of(p).toAbsolutePath().toString())
        .sorted().toList());
  }

  @Test
  void retrainerPassesItsListenersToTheTrainingOfTheNewVersion() throws IOException {
    Registry registry = new Registry(SparkTestContext.get().hadoopConfiguration(), work.resolve("reg").toString());
    Recorder heard = new Recorder();
    Retrainer.Result result = new Retrainer(SparkTestContext.get(), new PrintStream(new ByteArrayOutputStream()))
        .addListener(heard)
        .run(registry, TrainerDeterminismTest.options("input", SparkTestContext.sampleData().toString(),
            "epochs", "2", "hidden", "16", "batch", "8", "steps", "10", "max-tokens", "4000", "partitions", "2",
            "sample-every", "0"), 0, 3);

    List<Map<String, Number>> metricsFile = new ModelStore(SparkTestContext.get().hadoopConfiguration())
        .readMetrics(registry.versionDir(result.version()));
    List<Map<String, Number>> epochsHeard = new ArrayList<>();
    for (Event e : heard.events) {
      if (e instanceof Ended ended) {
        epochsHeard.add(ModelStore.metricsAsRead(ended.metrics().asJson()));
      }
    }
    assertEquals(2, metricsFile.size());
    assertEquals(metricsFile, epochsHeard, "the listener heard the new version's epochs");
    assertTrue(heard.events.get(heard.events.size() - 1) instanceof Finished, "and the finish, last");
  }

  /** Event {@code position} (1-based) of those heard, which must be a {@code type}. */
  private static <T extends Event> T assertInstance(Class<T> type, List<Event> events, int position) {
    Event e = position <= events.size() ? events.get(position - 1) : null;
    assertTrue(type.isInstance(e), "event " + position + ": expected " + type.getSimpleName() + ", heard "
        + (e == null ? "nothing more" : e));
    return type.cast(e);
  }
}
