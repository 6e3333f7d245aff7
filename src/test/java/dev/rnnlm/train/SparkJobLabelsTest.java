package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In the Spark UI a training run is one job group, and each job says what it does. */
class SparkJobLabelsTest {
  @TempDir
  Path work;

  /** A job as the UI lists it: its group and description. */
  private record Job(String group, String description) {}

  @Test
  void everyJobOfARunIsInItsGroupAndDescribed() throws Exception {
    JavaSparkContext sc = SparkTestContext.get();
    List<Job> jobs = new CopyOnWriteArrayList<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        jobs.add(new Job(start.properties().getProperty("spark.jobGroup.id"),
            start.properties().getProperty("spark.job.description")));
      }
    };
    sc.sc().addSparkListener(listener);
    String model = work.resolve("m").toString();
    try {
      new Trainer(sc, TrainOptions.fromMap(TrainerDeterminismTest.options("input", SparkTestContext.sampleData().toString(),
          "model", model, "epochs", "1", "hidden", "16", "batch", "8", "steps", "10", "max-tokens", "4000",
          "val-fraction", "0.1", "sample-every", "0")), new PrintStream(new ByteArrayOutputStream())).run();
      sc.sc().listenerBus().waitUntilEmpty();
    } finally {
      sc.sc().removeSparkListener(listener);
    }
    assertTrue(jobs.size() > 5, jobs.toString());
    for (Job job : jobs) {
      assertEquals("rnnlm-train " + model, job.group(), job.toString());
      assertTrue(job.description() != null && !job.description().isBlank(), job.toString());
    }
    List<String> descriptions = jobs.stream().map(Job::description).toList();
    assertTrue(descriptions.contains("read, encode and count the corpus"), descriptions.toString());
    assertTrue(descriptions.stream().anyMatch(d -> d.startsWith("epoch 1 step ")), descriptions.toString());
    assertTrue(descriptions.contains("epoch 1 validation"), descriptions.toString());
    // The caller's thread is left as it was.
    assertNull(sc.getLocalProperty("spark.jobGroup.id"));
  }
}
