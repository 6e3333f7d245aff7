package dev.rnnlm.bench;

import dev.rnnlm.testutil.CliProcess;
import dev.rnnlm.testutil.Packaged;
import dev.rnnlm.testutil.StandaloneCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures --sync-every on a standalone cluster of two one-core workers and in local[2], side by
 * side: for each K the same training run (the book's configuration on the bundled sample, its
 * last tenth of each file held out), its wall time, steady tokens/s (median of the epochs after
 * the first) and final held-out perplexity; then 64 partitions with --aggregation-fan-in 8 on
 * both, twice on the cluster, comparing the models' bytes. Prints a markdown table.
 *
 * <p>Run by {@code scripts/bench-sync.sh OUT EPOCHS K...} after {@code mvn package}.
 */
public final class SyncScaling {
  private static final Pattern EPOCH = Pattern.compile(
      "^epoch (\\d+) perplexity \\S+ tokens/s (\\d+) .* val_perplexity (\\S+)", Pattern.MULTILINE);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);

  private SyncScaling() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]).toAbsolutePath();
    String epochs = args[1];
    List<String> everies = Arrays.asList(args).subList(2, args.length);
    Files.createDirectories(out);
    List<String> rows = new ArrayList<>();
    try (StandaloneCluster cluster = StandaloneCluster.start(out.resolve("cluster"), 2)) {
      for (String k : everies) {
        List<String> run = List.of("--epochs", epochs, "--sync-every", k, "--partitions", "2");
        Result standalone = onCluster(cluster, out, "standalone-k" + k, run);
        Result local = locally(out, "local-k" + k, run);
        rows.add(String.format(Locale.ROOT, "| %s | %.3f | %.0f | %.1f | %.3f | %.0f | %.1f |", k,
            standalone.valPerplexity, standalone.tokensPerSec, standalone.seconds,
            local.valPerplexity, local.tokensPerSec, local.seconds));
        System.out.println(rows.get(rows.size() - 1));
      }
      List<String> wide = List.of("--epochs", "2", "--batch", "64", "--hidden", "128", "--partitions", "64",
          "--aggregation-fan-in", "8", "--sync-every", "1");
      Result first = onCluster(cluster, out, "standalone-p64-a", wide);
      Result second = onCluster(cluster, out, "standalone-p64-b", wide);
      Result local = locally(out, "local-p64", wide);
      System.out.println();
      System.out.println("| --sync-every | standalone val ppl | standalone tokens/s | standalone s "
          + "| local[2] val ppl | local[2] tokens/s | local[2] s |");
      System.out.println("|---|---|---|---|---|---|---|");
      rows.forEach(System.out::println);
      System.out.println();
      System.out.printf(Locale.ROOT, "64 partitions, fan-in 8: standalone %.1f s and %.1f s, local[2] %.1f s;"
              + " parameters.bin standalone run 1 = run 2: %s; standalone = local[2]: %s%n",
          first.seconds, second.seconds, local.seconds, sameParameters(first.model, second.model),
          sameParameters(first.model, local.model));
      System.out.println();
      for (String k : new String[] {"1", "16"}) {
        bench(cluster, "bench-k" + k, List.of("--sync-every", k, "--warmup-steps", "160",
            "--measure-steps", "320"));
      }
      for (String f : new String[] {"64", "8"}) {
        bench(cluster, "bench-p64-f" + f, List.of("--batch", "64", "--hidden", "128", "--partitions",
            "64", "--aggregation-fan-in", f, "--warmup-steps", "10", "--measure-steps", "30"));
      }
    }
  }

  private static final Pattern KEY = Pattern.compile(
      "\"(tokens_per_sec|step_ms_median|sync_every|syncs_per_epoch|aggregation_fan_in"
      + "|driver_results_per_sync|driver_ingress_bytes_per_step)\"\\s*:\\s*(\"[^\"]*\"|[-0-9.eE]+)");

  /** {@code bench} on the cluster (the book's configuration unless {@code options} say otherwise): its key figures. */
  private static void bench(StandaloneCluster cluster, String name, List<String> options) throws Exception {
    List<String> args = new ArrayList<>(List.of("bench", "--input",
        Packaged.projectDir().resolve("sample-data").toString(), "--normalize", "d2l", "--seed", "1"));
    args.addAll(options);
    StandaloneCluster.Driver driver = cluster.submit(name, List.of(), args);
    if (driver.waitFor(RUN_TIMEOUT) != 0) {
      throw new IllegalStateException(name + " failed\n" + driver.describe());
    }
    Matcher m = KEY.matcher(driver.stdout());
    StringBuilder line = new StringBuilder("standalone bench " + String.join(" ", options) + ":");
    while (m.find()) {
      line.append(' ').append(m.group(1)).append('=').append(m.group(2));
    }
    System.out.println(line);
  }

  private record Result(Path model, double seconds, double tokensPerSec, double valPerplexity) {}

  private static List<String> trainArgs(Path model, List<String> run) {
    List<String> a = new ArrayList<>(List.of("train", "--input", Packaged.projectDir().resolve("sample-data").toString(),
        "--model", model.toString(), "--val-fraction", "0.1", "--sample-every", "0", "--checkpoint-every", "0",
        "--normalize", "d2l", "--seed", "1"));
    a.addAll(run);
    return a;
  }

  private static Result onCluster(StandaloneCluster cluster, Path out, String name, List<String> run)
      throws Exception {
    Path model = out.resolve(name);
    long start = System.nanoTime();
    StandaloneCluster.Driver driver = cluster.submit(name, List.of(), trainArgs(model, run));
    if (driver.waitFor(RUN_TIMEOUT) != 0) {
      throw new IllegalStateException(name + " failed\n" + driver.describe());
    }
    return result(model, System.nanoTime() - start, driver.stdout());
  }

  private static Result locally(Path out, String name, List<String> run) throws Exception {
    Path model = out.resolve(name);
    Path log = out.resolve(name + ".log");
    List<String> args = new ArrayList<>(trainArgs(model, run));
    args.addAll(List.of("--master", "local[2]"));
    long start = System.nanoTime();
    Process p = CliProcess.start("4g", log, args);
    if (!p.waitFor(RUN_TIMEOUT.toMinutes(), TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(name + " failed\n" + Files.readString(log));
    }
    return result(model, System.nanoTime() - start, Files.readString(log));
  }

  private static Result result(Path model, long nanos, String stdout) {
    Matcher m = EPOCH.matcher(stdout);
    List<Double> rates = new ArrayList<>();
    double val = Double.NaN;
    while (m.find()) {
      if (Integer.parseInt(m.group(1)) > 1) {
        rates.add(Double.parseDouble(m.group(2)));
      }
      val = Double.parseDouble(m.group(3));
    }
    rates.sort(null);
    double median = rates.isEmpty() ? Double.NaN : rates.get(rates.size() / 2);
    return new Result(model, nanos / 1e9, median, val);
  }

  private static boolean sameParameters(Path a, Path b) throws Exception {
    return Arrays.equals(Files.readAllBytes(a.resolve("parameters.bin")), Files.readAllBytes(b.resolve("parameters.bin")));
  }
}
