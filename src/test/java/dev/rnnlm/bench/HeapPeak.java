package dev.rnnlm.bench;

import com.sun.management.GarbageCollectorMXBean;
import dev.rnnlm.cli.Main;
import dev.rnnlm.model.LanguageModel;
import dev.rnnlm.train.MemoryEstimate;
import dev.rnnlm.train.TrainOptions;
import dev.rnnlm.train.TrainSettings;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver's memory estimate ({@link MemoryEstimate}) against the heap a local[2] training run
 * really holds, for each cell and layer count given. Each run is {@code train} in a JVM of its own
 * (fresh heap, nothing left by an earlier run) with a heap far above the estimate and the parallel
 * collector of {@code scripts/rnnlm} (G1 would count its humongous arrays in whole regions): it
 * starts Spark, runs a job, collects the garbage and takes the heap in use as its baseline, then
 * trains one epoch of words of the sample corpus (about a thousand ids, 2 partitions, batch 32,
 * SGD, a checkpoint at the end) while a thread runs a full collection every
 * {@link #SAMPLE_MILLIS} ms and keeps the largest heap in use right after one: the live peak,
 * which is what the estimate stands for. The pools' peak usage (garbage included) is printed
 * beside it. Prints a markdown table of estimate, live peak above the baseline and their ratio.
 *
 * <p>Run by {@code scripts/bench-memory.sh [HIDDEN] [CELL:LAYERS...]} after {@code mvn package}.
 */
public final class HeapPeak {
  private static final long SAMPLE_MILLIS = 150;
  private static final Pattern VOCABULARY = Pattern.compile("vocabulary (\\d+)");
  private static final Pattern RESULT = Pattern.compile("^RESULT (.*)$", Pattern.MULTILINE);

  private HeapPeak() {}

  /** {@code HIDDEN CELL:LAYERS...}: one child JVM per cell and layer count, then the table. */
  public static void main(String[] args) throws Exception {
    String hidden = args[0];
    List<String> rows = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] cellLayers = args[i].split(":");
      String line = runChild(cellLayers[0], cellLayers[1], hidden);
      rows.add(line);
      System.out.println(line);
    }
    System.out.println();
    System.out.println("| cell | layers | hidden | vocab | parameters | estimate MiB | live peak MiB "
        + "| estimate / live peak | pools' peak MiB (garbage included) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  private static String runChild(String cell, String layers, String hidden) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-D")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Xmx6g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
        Child.class.getName(), cell, layers, hidden));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    Process child = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.append(line).append('\n');
      }
    }
    int status = child.waitFor();
    Matcher m = RESULT.matcher(out);
    if (status != 0 || !m.find()) {
      throw new IllegalStateException(cell + " x " + layers + " failed (" + status + "):\n" + out);
    }
    return m.group(1);
  }

  /** One measured run, in its own JVM: prints {@code RESULT | row |}. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      String cell = args[0];
      String layers = args[1];
      String hidden = args[2];
      Path dir = Files.createTempDirectory("heap-peak");
      SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("heap peak")
          .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
          .set("spark.driver.bindAddress", "127.0.0.1");
      try (JavaSparkContext sc = new JavaSparkContext(conf)) {
        sc.parallelize(List.of(1, 2, 3, 4), 2).count();
        long baseline = liveHeap();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
          pool.resetPeakUsage();
        }
        AtomicLong livePeak = new AtomicLong(baseline);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        AtomicBoolean training = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
          while (training.get()) {
            long now = liveHeap();
            livePeak.accumulateAndGet(now, Math::max);
            try {
              Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        sampler.setDaemon(true);
        sampler.start();
        Map<String, String> options = new LinkedHashMap<>();
        options.put("input", Path.of("sample-data").toAbsolutePath().toString());
        options.put("model", dir.resolve("model").toString());
        options.put("tokens", "word");
        options.put("cell", cell);
        options.put("layers", layers);
        options.put("hidden", hidden);
        options.put("epochs", "1");
        options.put("partitions", "2");
        options.put("sample-every", "0");
        List<String> argv = new ArrayList<>(List.of("train"));
        options.forEach((k, v) -> argv.addAll(List.of("--" + k, v)));
        int status = Main.run(argv.toArray(String[]::new), new PrintStream(printed), System.err, sc);
        training.set(false);
        sampler.join();
        long pools = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == MemoryType.HEAP) {
            pools += pool.getPeakUsage().getUsed();
          }
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        Matcher vocab = VOCABULARY.matcher(text);
        if (status != 0 || !vocab.find()) {
          throw new IllegalStateException("train failed (" + status + "):\n" + text);
        }
        int v = Integer.parseInt(vocab.group(1));
        TrainSettings s = TrainOptions.fromMap(Map.of("input", "x", "model", "x", "cell", cell,
            "layers", layers, "hidden", hidden));
        LanguageModel model = s.architecture().newModel(v);
        int perPartition = (s.batch() + 1) / 2;
        MemoryEstimate estimate = MemoryEstimate.of(MemoryEstimate.Shape.of(model, s.steps(), perPartition),
            new MemoryEstimate.Placement(2, 0, true, 2));
        long live = livePeak.get() - baseline;
        System.out.printf(Locale.ROOT, "RESULT | %s | %s | %s | %d | %,d | %.0f | %.0f | %.2f | %.0f |%n", cell,
            layers, hidden, v, model.layout().size(), mib(estimate.driverBytes()), mib(live),
            (double) estimate.driverBytes() / live, mib(pools - baseline));
      }
    }

    /**
     * The heap in use right after a full collection, or 0 when the collection did not happen (a
     * thread in a JNI critical region, a BLAS call, holds it off).
     */
    private static long liveHeap() {
      GarbageCollectorMXBean full = null;
      for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc.getName().equals("PS MarkSweep")) {
          full = (GarbageCollectorMXBean) gc;
        }
      }
      long before = full.getCollectionCount();
      System.gc();
      var info = full.getLastGcInfo();
      if (full.getCollectionCount() == before || info == null) {
        return 0;
      }
      long used = 0;
      for (var pool : info.getMemoryUsageAfterGc().values()) {
        used += pool.getUsed();
      }
      return used;
    }

    private static double mib(long bytes) {
      return bytes / (1024.0 * 1024.0);
    }
  }
}
