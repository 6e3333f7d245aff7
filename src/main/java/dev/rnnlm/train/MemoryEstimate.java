package dev.rnnlm.train;

import dev.rnnlm.model.LanguageModel;
import java.util.Locale;

/**
 * The memory a training run will need, estimated from its shapes once the vocabulary is known
 * and before the first step, so that a run that cannot fit stops in seconds with one line
 * instead of dying of {@code OutOfMemoryError} minutes later. Counts the large arrays only
 * (4-byte floats; {@code N} parameters, {@code b} sequences per partition, {@code T} steps,
 * {@code H} hidden units, {@code V} vocabulary):
 *
 * <pre>
 * per task    kernel workspace: the model's ({@link LanguageModel#workspaceFloats}): per layer
 *             T*b times the cell's floats per token (G*H gate values, h, the cell's planes)
 *             and b times its floats per sequence (h_0), dropout's arrays, the embedding's,
 *             the output layer's (logits T*b*V, or an adaptive softmax's head and a cluster),
 *             W_hh packed both ways 2*H*G*H
 *             gradient N (one per partition, held by the driver in local mode)
 *             with local steps (--sync-every K > 1): the local steps' own gradient N, while
 *             the partition's gradient buffer holds its parameters and then their change
 *             result N (the gradient serialized for the driver; executors in other JVMs only)
 * executor    the broadcast parameters N (executors in other JVMs only)
 * driver      parameters N, a checkpoint's copy N and its bytes N, the optimizer's state
 *             (with local steps also the outer update's momentum), P partition gradients N each, and with executors in other JVMs the serialized
 *             broadcast N
 * </pre>
 *
 * In local mode the driver's JVM also runs the tasks: its heap must hold the driver's share,
 * every partition's gradient and the workspaces of the tasks that run at once.
 *
 * @param parameters N
 * @param workspaceBytes one task's kernel workspace, with its local steps' gradient when it has them
 * @param heaps what the driver's JVM and one executor's hold
 * @param largestArray elements of the largest single array (a Java array holds at most 2^31 - 9)
 * @param stepResultBytes what a step's tasks send the driver through Spark (the P gradients);
 *     0 in local mode, where they pass by reference
 */
public record MemoryEstimate(long parameters, long workspaceBytes, Heaps heaps, long largestArray,
                             long stepResultBytes) {
  /**
   * @param driverBytes what the driver's JVM holds (including local mode's tasks)
   * @param executorBytes what one executor JVM holds with its concurrent tasks; 0 in local mode
   */
  public record Heaps(long driverBytes, long executorBytes) {}

  /**
   * The run's shapes.
   *
   * @param parameters N
   * @param sequencesPerPartition the largest partition's share of the batch, b
   */
  public record Shape(long parameters, int hidden, int vocab, int steps, int sequencesPerPartition,
                      long workspaceFloats) {
    /**
     * {@code model} training on windows of {@code steps} steps of {@code sequencesPerPartition}
     * sequences: its parameters and its workspace for such a window, every layer's gates and
     * planes, the embedding and the output layer counted by the model.
     */
    public static Shape of(LanguageModel model, int steps, int sequencesPerPartition) {
      return new Shape(model.layout().size(), model.hiddenSize(), model.vocabSize(), steps,
          sequencesPerPartition, model.workspaceFloats(sequencesPerPartition, steps));
    }

    /** This shape with a task's workspace of {@code floats} instead. */
    public Shape withWorkspaceFloats(long floats) {
      return new Shape(parameters, hidden, vocab, steps, sequencesPerPartition, floats);
    }
  }

  /**
   * Where it runs.
   *
   * @param optimizerStateFloats floats of the driver's optimizer state (0 for SGD), the outer
   *     update's momentum included
   * @param oneJvm local mode: tasks run in the driver's JVM
   * @param concurrentTasks tasks running at once in one JVM (local mode: min(P, cores);
   *     elsewhere: task slots per executor)
   * @param localSteps whether tasks run local steps, each holding a gradient of its own
   */
  public record Placement(int partitions, long optimizerStateFloats, boolean oneJvm, int concurrentTasks,
                          boolean localSteps) {
    /** A placement whose tasks compute one gradient per synchronization (--sync-every 1). */
    public Placement(int partitions, long optimizerStateFloats, boolean oneJvm, int concurrentTasks) {
      this(partitions, optimizerStateFloats, oneJvm, concurrentTasks, false);
    }
  }

  public long driverBytes() {
    return heaps.driverBytes();
  }

  public long executorBytes() {
    return heaps.executorBytes();
  }

  /** What Spark keeps of every heap for itself ({@code spark.testing.reservedMemory}'s default). */
  public static final long SPARK_RESERVED_BYTES = 300L << 20;

  /** The estimate for a run of {@code shape} placed as {@code placement}. */
  public static MemoryEstimate of(Shape shape, Placement placement) {
    long parameters = shape.parameters();
    int hidden = shape.hidden();
    int vocab = shape.vocab();
    int steps = shape.steps();
    int partitions = placement.partitions();
    long optimizerStateFloats = placement.optimizerStateFloats();
    boolean oneJvm = placement.oneJvm();
    int concurrentTasks = placement.concurrentTasks();
    long b = shape.sequencesPerPartition();
    long hs = (steps + 1L) * b * hidden;
    long logits = steps * b * vocab;
    long da = steps * b * hidden;
    long n4 = 4 * parameters;
    long workspace = 4 * shape.workspaceFloats() + (placement.localSteps() ? n4 : 0);
    long driverShare = 3 * n4 + 4 * optimizerStateFloats + partitions * n4 + (oneJvm ? 0 : n4);
    long driver;
    long executor;
    if (oneJvm) {
      driver = driverShare + concurrentTasks * workspace;
      executor = 0;
    } else {
      driver = driverShare;
      executor = n4 + concurrentTasks * (workspace + 2 * n4);
    }
    long largest = Math.max(parameters, Math.max(logits, Math.max(hs, da)));
    return new MemoryEstimate(parameters, workspace, new Heaps(driver, executor), largest,
        oneJvm ? 0 : partitions * n4);
  }

  /** The part of a heap of {@code maxHeapBytes} the estimate may use: what Spark does not reserve. */
  public static long usable(long maxHeapBytes) {
    return Math.max(0, maxHeapBytes - SPARK_RESERVED_BYTES);
  }

  /**
   * Why the run cannot fit, or null when it fits: each JVM's estimate against the usable part of
   * its heap ({@code executorHeapBytes} is ignored in local mode), a step's results against
   * {@code maxResultBytes} ({@code spark.driver.maxResultSize}; 0 = unlimited), and no array
   * beyond Java's limit. The message gives the estimate, the limit and the remedies.
   */
  public String whyNotFitting(long driverHeapBytes, long executorHeapBytes, long maxResultBytes,
                              boolean oneJvm) {
    return whyNotFitting(driverHeapBytes, executorHeapBytes, maxResultBytes, oneJvm, COUNTED_VOCABULARY);
  }

  /** How a vocabulary counted from the text is made smaller. */
  static final String COUNTED_VOCABULARY = "a smaller vocabulary (--max-vocab, --min-freq)";

  /**
   * As {@link #whyNotFitting(long, long, long, boolean)}, naming {@code smallerVocabulary} as the
   * first remedy (subword vocabularies are made smaller otherwise).
   */
  public String whyNotFitting(long driverHeapBytes, long executorHeapBytes, long maxResultBytes,
                              boolean oneJvm, String smallerVocabulary) {
    String remedies = "; remedies: " + smallerVocabulary + ", a smaller --hidden or "
        + "--batch, more --partitions (on a cluster), a larger heap (spark.driver.memory / spark.executor.memory"
        + (oneJvm ? "; RNNLM_JAVA_OPTS=-Xmx... for scripts/rnnlm" : "")
        + "); --skip-memory-check trains anyway";
    if (largestArray > Integer.MAX_VALUE - 8) {
      return String.format(Locale.ROOT, "one array would hold %,d elements, more than a Java array can (%,d)%s",
          largestArray, Integer.MAX_VALUE - 8, remedies);
    }
    String model = String.format(Locale.ROOT, "%,d parameters, %s a copy", parameters, mib(4 * parameters));
    if (heaps.driverBytes() > usable(driverHeapBytes)) {
      return String.format(Locale.ROOT, "not enough memory: training needs about %s on the driver (%s%s), "
          + "but its heap of %s leaves %s after Spark's reserve%s", mib(heaps.driverBytes()), model,
          oneJvm ? "; in local mode the driver also runs the tasks" : "", mib(driverHeapBytes),
          mib(usable(driverHeapBytes)), remedies);
    }
    if (!oneJvm && heaps.executorBytes() > usable(executorHeapBytes)) {
      return String.format(Locale.ROOT, "not enough memory: training needs about %s per executor (%s), "
          + "but spark.executor.memory %s leaves %s after Spark's reserve%s", mib(heaps.executorBytes()), model,
          mib(executorHeapBytes), mib(usable(executorHeapBytes)), remedies);
    }
    if (maxResultBytes > 0 && stepResultBytes > maxResultBytes) {
      return String.format(Locale.ROOT, "a step's results (one gradient per partition: %s) exceed "
          + "spark.driver.maxResultSize (%s); raise it (--conf spark.driver.maxResultSize=%dm) or use "
          + "fewer --partitions or a smaller vocabulary", mib(stepResultBytes), mib(maxResultBytes),
          (stepResultBytes >> 20) * 2);
    }
    return null;
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,d MiB", (bytes + (1 << 20) - 1) >> 20);
  }
}
