package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.CliProcess;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While {@code train} runs, its gauges are in Spark's metrics system: with Spark's Prometheus
 * servlet configured, the driver UI's {@code /metrics/prometheus} lists the step, epoch and the
 * rest, and the step grows.
 */
class TrainingMetricsTest {
  private static final String GAUGE = "driver_plugin_dev_rnnlm_train_TrainingMetricsPlugin_";

  @TempDir
  Path work;

  @Test
  void trainingGaugesAppearAtThePrometheusEndpointWhileTraining() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> spark = List.of("-Dspark.ui.enabled=true", "-Dspark.ui.port=" + port,
        "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1",
        "-Dspark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet",
        "-Dspark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus");
    Path log = work.resolve("train.log");
    Process train = CliProcess.start("1g", log, spark, List.of("train", "--input",
        SparkTestContext.sampleData().toString(), "--model", work.resolve("m").toString(), "--hidden", "16",
        "--batch", "8", "--steps", "10", "--max-tokens", "5000", "--epochs", "1000", "--sample-every", "0",
        "--checkpoint-every", "5", "--master", "local[2]"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
        .followRedirects(HttpClient.Redirect.ALWAYS).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/prometheus"))
        .timeout(Duration.ofSeconds(5)).build();
    String page = "";
    long firstStep = -1;
    long lastStep = -1;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && train.isAlive()) {
        try {
          page = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
          Thread.sleep(200); // the UI is not up yet
          continue;
        }
        long step = gauge(page, "step");
        if (step > 0 && firstStep < 0) {
          firstStep = step;
        } else if (firstStep > 0 && step > firstStep && gauge(page, "epoch") > 5) {
          lastStep = step;
          break;
        }
        Thread.sleep(200);
      }
    } finally {
      train.destroyForcibly();
      train.waitFor(30, TimeUnit.SECONDS);
    }
    assertTrue(lastStep > firstStep && firstStep > 0,
        "gauges seen: " + page.lines().filter(l -> l.contains("plugin") || l.contains("rnnlm")).limit(20).toList() + " of " + page.length() + "\nlog: " + Files.readString(log).lines().limit(3).toList());
    for (String name : List.of("perplexity", "tokens_per_sec", "grad_norm", "last_checkpoint_step", "sync_seconds",
        "val_perplexity")) {
      assertTrue(page.contains(GAUGE + name + "_Value"), name + " in:\n" + page);
    }
    assertTrue(gauge(page, "last_checkpoint_step") > 0, page);
  }

  /** The value of gauge {@code name} on a Prometheus page, or -1 when absent or not a number. */
  private static long gauge(String page, String name) {
    Matcher m = Pattern.compile(Pattern.quote(GAUGE + name + "_Value") + "\\{[^}]*} (-?[0-9.E]+)").matcher(page);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }
}
