package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The one console line of a failure. */
class FailuresTest {
  private static final String STOPPED = "stopped: Spark was shut down while training (the process was "
      + "interrupted or its Spark context stopped); continue from the newest checkpoint with --resume";

  @Test
  void everyWordingOfASparkContextStoppedUnderAJobIsOneResumeHint() {
    for (String message : new String[] {
        "Job 214 cancelled because SparkContext was shut down",
        "SparkContext has been shutdown",
        "Job aborted due to stage failure: Task serialization failed: java.lang.IllegalStateException: "
            + "Cannot call methods on a stopped SparkContext.\nThis stopped SparkContext was created at:",
        "Job aborted due to stage failure: Task 0 in stage 28.0 failed 1 times, most recent failure: Lost "
            + "task 0.0 in stage 28.0 (TID 56) (localhost executor driver): java.util.concurrent."
            + "RejectedExecutionException: Task org.apache.spark.executor.Executor$TaskRunner@26b9ec5 "
            + "rejected from java.util.concurrent.ThreadPoolExecutor@3eabb29[Shutting down, pool size = 2, "
            + "active threads = 0, queued tasks = 0, completed tasks = 38]"}) {
      assertEquals(STOPPED, Failures.oneLine(new SparkException(message)), message);
    }
  }

  @Test
  void aSparkContextStoppedUnderACommandThatDoesNotTrainNamesTheMasterNotResume() {
    SparkException stopped = new SparkException("Job 3 cancelled because SparkContext was shut down");
    assertEquals(STOPPED, Failures.oneLine(stopped, "retrain"));
    assertEquals("stopped: Spark was shut down before the evaluate job finished (the process was interrupted,"
        + " or the Spark master stopped or could not be reached: check --master)", Failures.oneLine(stopped, "evaluate"));
    assertEquals("bad thing", Failures.oneLine(new IllegalArgumentException("bad thing"), "evaluate"));
  }

  @Test
  void aFailedTaskIsItsCauseWithWhereItRanOnOneLine() {
    String spark = "Job aborted due to stage failure: Task 0 in stage 8.0 failed 1 times, most recent failure: "
        + "Lost task 0.0 in stage 8.0 (TID 13) (192.0.2.2 executor driver): "
        + "dev.rnnlm.engine.TaskOutOfMemoryException: partition 0 ran out of memory\n\tat dev.rnnlm.X.y(X.java:1)";
    assertEquals("a Spark task failed (task 0.0 in stage 8.0, 192.0.2.2 executor driver): partition 0 ran out of memory",
        Failures.oneLine(new SparkException(spark)));
  }

  @Test
  void ownAndInputErrorsAreTheirMessageOthersNameTheirClassAndOnlyTheFirstLineShows() {
    assertEquals("disk full", Failures.oneLine(new IOException("disk full\nmore")));
    assertEquals("java.lang.NullPointerException: x", Failures.oneLine(new NullPointerException("x")));
  }
}
