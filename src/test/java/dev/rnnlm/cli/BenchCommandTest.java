package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench command's report: one JSON object with every documented key, consistent figures. */
class BenchCommandTest {
  @Test
  void benchPrintsOneJsonObjectWithConsistentFigures() throws IOException {
    CliRun run = CliRun.of("bench", "--input", SparkTestContext.sampleData().toString(),
        "--hidden", "16", "--batch", "4", "--steps", "5", "--max-tokens", "3000",
        "--warmup-steps", "2", "--measure-steps", "5");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(1, run.out().strip().lines().count(), run.out());
    JsonNode report = new ObjectMapper().readTree(run.out());
    for (String key : List.of("tokens_per_sec", "step_ms_median", "floor_ms_median",
        "compute_ms_median", "compute_cpu_ms_median", "overhead_ms_median", "model_gflops",
        "peak_gflops", "efficiency", "blas", "recurrent_kernel", "jit_compile_ms_measured")) {
      assertTrue(report.has(key), key + " in " + run.out());
    }
    double step = report.get("step_ms_median").asDouble();
    assertTrue(step > 0 && report.get("compute_ms_median").asDouble() <= step, run.out());
    // local mode: driver and tasks share one clock, so the phases around the kernel are measured
    for (String phase : List.of("broadcast_ms_median", "launch_ms_median", "result_ms_median",
        "update_ms_median")) {
      double ms = report.get(phase).asDouble(-1);
      assertTrue(ms > 0 && ms < step, phase + " in " + run.out());
    }
    assertEquals(report.get("model_gflops").asDouble() / report.get("peak_gflops").asDouble(),
        report.get("efficiency").asDouble(), 1e-9);
    assertEquals(2, report.get("warmup_steps").asInt(), "an explicit warm-up is exact");
    assertEquals("in-process (local mode)", report.get("step_channel").asText(), run.out());
    assertEquals(5, report.get("measure_steps").asInt());
    // 4 sequences x 5 steps per training step
    assertTrue(report.get("tokens_per_sec").asDouble() > 0, run.out());
  }

  @Test
  void measureStepsMustBePositive() {
    CliRun run = CliRun.of("bench", "--input", SparkTestContext.sampleData().toString(),
        "--measure-steps", "0");
    assertTrue(run.exitCode() != 0 && run.err().contains("--measure-steps"), run.err());
  }
}
