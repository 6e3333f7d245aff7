package dev.rnnlm.train;

import dev.rnnlm.engine.Synchronizer;
import dev.rnnlm.linalg.PackedMatrix;
import dev.rnnlm.linalg.RowMajor;
import dev.rnnlm.model.LanguageModel;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Measures training throughput and where a step's time goes: trains for a fixed number of
 * steps and compares the wall time of a step with the slowest partition's kernel time and with
 * an empty Spark job over the same partitions; measures the machine's float32 GEMM peak in the
 * same run, so the figures are comparable side by side.
 */
public final class Benchmark {
  private static final int PEAK_GEMM_SIZE = 1024;
  private static final int PEAK_REPEATS = 6;
  private static final int PEAK_ROUNDS = 3;

  private Benchmark() {}

  /** {@link #run}'s warm-up when none is given: until the JIT has settled. */
  public static final int AUTO_WARMUP = -1;
  /** The automatic warm-up's bounds: at least one epoch of the book's configuration. */
  static final int MIN_AUTO_WARMUP = 150;
  static final int MAX_AUTO_WARMUP = 5000;
  /** Steps between two looks at the JIT during the automatic warm-up. */
  private static final int WARMUP_BLOCK = 100;
  /**
   * Settled: the JIT compiled for less than this share of a block's wall time (of one core).
   * Compilation goes on long after the first steps (C2 compiles Spark's scheduler, RPC and
   * status-listener paths, single methods for most of a second), and a step measured meanwhile
   * shares its core with it.
   */
  private static final double SETTLED_COMPILE_SHARE = 0.05;

  /**
   * Runs {@code warmup} untimed steps ({@link #AUTO_WARMUP}: until the JIT has settled), then
   * {@code measure} timed steps; returns the report.
   */
  public static Map<String, Object> run(JavaSparkContext sc, TrainSettings s, int warmup,
                                        int measure) throws Exception {
    try (TrainingData data = TrainingData.prepare(sc, s)) {
      LanguageModel model = s.architecture().newModel(data.vocabulary().size());
      float[] params = new float[model.layout().size()];
      model.initialize(params, s.seed());
      try (StepLoop loop = new StepLoop(sc, data, model, params, s).reporting(System.out, "bench epoch")) {
        return measure(sc, s, data, model, loop, warmup, measure);
      }
    }
  }

  private static Map<String, Object> measure(JavaSparkContext sc, TrainSettings s, TrainingData data,
                                             LanguageModel model, StepLoop loop, int warmup,
                                             int measure) throws Exception {
    int warmed = warmUp(loop, warmup);
    long compileBefore = compileMillis();

    // Per synchronization (one step without local steps), divided by the steps it covered.
    int rounds = 0;
    int measured = 0;
    long tokens = 0;
    long totalNanos = 0;
    Samples stepNanos = new Samples();
    Samples kernelNanos = new Samples();
    Samples kernelCpuNanos = new Samples();
    Samples floorNanos = new Samples();
    Samples broadcastNanos = new Samples();
    Samples launchNanos = new Samples();
    Samples resultNanos = new Samples();
    Samples updateNanos = new Samples();
    Samples overhead = new Samples();
    Samples ingressResults = new Samples();
    Samples ingressBytes = new Samples();
    while (measured < measure) {
      StepSample sample = timedStep(loop);
      int k = sample.steps();
      Synchronizer.StepTiming timing = sample.totals().timing();
      stepNanos.add(sample.stepNanos(), k);
      floorNanos.add(sample.floorNanos(), k);
      kernelNanos.add(timing.kernel().wallNanos(), k);
      kernelCpuNanos.add(timing.kernel().cpuNanos(), k);
      broadcastNanos.add(timing.channelOpenNanos(), k);
      launchNanos.add(timing.launchNanos(), timing.launchNanos() < 0 ? 1 : k);
      resultNanos.add(timing.resultNanos(), timing.resultNanos() < 0 ? 1 : k);
      updateNanos.add(timing.sumNanos() + sample.applyNanos(), k);
      overhead.add((sample.stepNanos() - timing.kernel().wallNanos()) / 1e6, k);
      ingressResults.add(sample.totals().ingress().results(), 1);
      ingressBytes.add(sample.totals().ingress().payloadBytes(), 1);
      tokens += sample.totals().tokens();
      totalNanos += sample.stepNanos();
      measured += k;
      rounds++;
    }
    long compileAfter = compileMillis();
    loop.releaseTaskSlots();  // the measurements below run jobs and threads of their own
    double stepMs = stepNanos.median() / 1e6;
    double computeMs = kernelNanos.median() / 1e6;
    double flopsPerStep = model.flopsPerToken() * s.batch() * s.steps();
    double modelGflops = flopsPerStep * measured / totalNanos;
    double peak = peakGflops(sc.defaultParallelism());

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("tokens_per_sec", tokens / (totalNanos / 1e9));
    r.put("step_ms_median", stepMs);
    r.put("floor_ms_median", floorNanos.median() / 1e6);
    r.put("compute_ms_median", computeMs);
    r.put("compute_cpu_ms_median", kernelCpuNanos.median() / 1e6);
    r.put("overhead_ms_median", overhead.median());
    r.put("broadcast_ms_median", broadcastNanos.median() / 1e6);
    boolean oneClock = launchNanos.median() >= 0;
    r.put("launch_ms_median", oneClock ? launchNanos.median() / 1e6 : null);
    r.put("result_ms_median", oneClock ? resultNanos.median() / 1e6 : null);
    r.put("update_ms_median", updateNanos.median() / 1e6);
    r.put("sync_every", Synchronization.everyName(s.sync().every()));
    r.put("syncs_per_epoch", s.sync().localSteps() ? s.sync().perEpoch(data.plan().minStepsPerEpoch())
        : data.plan().minStepsPerEpoch());
    r.put("aggregation_fan_in", s.sync().fanIn(data.plan().partitions()));
    r.put("driver_results_per_sync", ingressResults.median());
    r.put("driver_ingress_bytes_per_sync", ingressBytes.median());
    r.put("driver_ingress_bytes_per_step", ingressBytes.median() * rounds / measured);
    r.put("model_gflops", modelGflops);
    r.put("peak_gflops", peak);
    r.put("efficiency", modelGflops / peak);
    r.put("blas", RowMajor.implementation());
    r.put("recurrent_kernel", PackedMatrix.implementation());
    r.put("step_channel", loop.channel());
    r.put("step_launch", loop.residentTasks() ? "resident tasks" : "a Spark job per step");
    r.put("partitions", data.plan().partitions());
    r.put("corpus_tokens", data.tokens());
    r.put("cached_bytes_per_token", cachedBytesPerToken(data));
    r.put("driver_heap_mb", usedHeapMb());
    r.put("batch", s.batch());
    r.put("steps", s.steps());
    r.put("hidden", s.hidden());
    r.put("cell", s.cell());
    r.put("layers", s.layers());
    r.put("embedding", s.embedding());
    r.put("tie_weights", s.tieWeights());
    r.put("softmax", s.softmax());
    r.put("cutoffs", s.cutoffs());
    r.put("vocab", data.vocabulary().size());
    r.put("warmup_steps", warmed);
    r.put("measure_steps", measured);
    r.put("jit_compile_ms_measured", compileBefore < 0 ? null : compileAfter - compileBefore);
    return r;
  }

  /**
   * One timed synchronization (of it: the driver's update) covering {@code steps} steps, and the
   * empty job after it.
   */
  private record StepSample(Synchronizer.Totals totals, int steps, long stepNanos,
                            long applyNanos, long floorNanos) {}

  /** Values, each the measure of a synchronization divided by the steps it covered: medians per step. */
  private static final class Samples {
    private double[] values = new double[64];
    private int count;

    void add(double value, int steps) {
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count++] = value / steps;
    }

    double median() {
      return Benchmark.median(Arrays.copyOf(values, count));
    }
  }

  /** The next training step (epochs roll over, as in training), then an empty job: the floor. */
  private static StepSample timedStep(StepLoop loop) {
    StepLoop.Step step = loop.nextRollingOver();
    long t0 = System.nanoTime();
    loop.runEmptyJob();
    return new StepSample(step.totals(), step.steps(), step.runNanos() + step.updateNanos(),
        step.updateNanos(), System.nanoTime() - t0);
  }

  /**
   * Runs the warm-up and returns its step count: {@code requested} steps, or for
   * {@link #AUTO_WARMUP} at least {@link #MIN_AUTO_WARMUP}, then blocks of
   * {@link #WARMUP_BLOCK} until the JIT's compile time in a block falls below
   * {@link #SETTLED_COMPILE_SHARE} of its wall time, at most {@link #MAX_AUTO_WARMUP}.
   */
  private static int warmUp(StepLoop loop, int requested) {
    int target = requested == AUTO_WARMUP ? MIN_AUTO_WARMUP : requested;
    int done = 0;
    while (done < target) {
      done += timedStep(loop).steps();
    }
    if (requested != AUTO_WARMUP || compileMillis() < 0) {
      return done;
    }
    while (done < MAX_AUTO_WARMUP) {
      long compile0 = compileMillis();
      long t0 = System.nanoTime();
      int block = 0;
      while (block < WARMUP_BLOCK) {
        block += timedStep(loop).steps();
      }
      done += block;
      double wallMs = (System.nanoTime() - t0) / 1e6;
      if ((compileMillis() - compile0) < SETTLED_COMPILE_SHARE * wallMs) {
        break;
      }
    }
    return done;
  }

  /** The JIT's total compile time so far in ms (local mode: executors included), or -1. */
  private static long compileMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime() : -1;
  }

  /**
   * float32 GEMM GFLOP/s with {@code threads} concurrent single-threaded products: the best of
   * {@link #PEAK_ROUNDS} timed rounds, since a peak is what the machine can do and a shared
   * machine's neighbours only ever slow a round down.
   */
  static double peakGflops(int threads) throws Exception {
    int n = PEAK_GEMM_SIZE;
    float[][] a = new float[threads][];
    float[][] b = new float[threads][];
    float[][] c = new float[threads][];
    for (int t = 0; t < threads; t++) {
      a[t] = randomMatrix(n, t);
      b[t] = randomMatrix(n, t + 100);
      c[t] = new float[n * n];
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Future<?>[] running = new Future<?>[threads];
      double best = 0;
      for (int round = 0; round <= PEAK_ROUNDS; round++) { // round 0 warms up
        int repeats = round == 0 ? 1 : PEAK_REPEATS;
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          final int slot = t;
          running[t] = pool.submit(() -> {
            for (int r = 0; r < repeats; r++) {
              RowMajor.gemm(false, false, n, n, n, 1f, a[slot], 0, b[slot], 0, 0f, c[slot], 0);
            }
          });
        }
        for (Future<?> f : running) {
          f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (round > 0) {
          best = Math.max(best, 2.0 * n * n * n * repeats * threads / seconds / 1e9);
        }
      }
      return best;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Bytes the cached training shards hold per corpus token (margins between partitions included). */
  private static double cachedBytesPerToken(TrainingData data) {
    long bytes = data.shards().map(shard -> (long) shard.length() * shard.bytesPerToken())
        .reduce(Long::sum);
    return (double) bytes / data.tokens();
  }

  /** The driver's live heap after a full collection, in MiB. */
  private static double usedHeapMb() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
  }

  private static float[] randomMatrix(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] m = new float[n * n];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) r.nextDouble(-1, 1);
    }
    return m;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }
}
