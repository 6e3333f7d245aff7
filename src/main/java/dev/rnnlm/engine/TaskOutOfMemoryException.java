package dev.rnnlm.engine;

import java.util.Locale;

/**
 * A training task that ran out of memory, as an ordinary task failure: Spark then fails the job
 * with this message instead of exiting the executor's JVM. The {@code OutOfMemoryError} is
 * deliberately not kept as the cause: Spark's executor looks for fatal errors along the cause
 * chain and would still exit the JVM (status 52).
 */
public final class TaskOutOfMemoryException extends RuntimeException {
  TaskOutOfMemoryException(int partition, OutOfMemoryError cause) {
    super(String.format(Locale.ROOT, "partition %d ran out of memory (%s) in a heap of %,d MiB; "
        + "use a smaller vocabulary (--max-vocab, --min-freq), --hidden or --batch, or more heap",
        partition, cause.getMessage(), Runtime.getRuntime().maxMemory() >> 20));
  }
}
