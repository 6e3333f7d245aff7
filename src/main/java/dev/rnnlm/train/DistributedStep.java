package dev.rnnlm.train;

import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One training step over all partitions: broadcast parameters and carried states, run a
 * {@link GradientTask} per partition, and add the results in partition order (never in
 * arrival order) so the sums are the same on every run.
 */
final class DistributedStep {
  private final JavaSparkContext sc;
  private final JavaRDD<TokenShard> shards;
  private final LanguageModel model;
  private final WindowPlan plan;

  DistributedStep(JavaSparkContext sc, JavaRDD<TokenShard> shards, LanguageModel model,
                  WindowPlan plan) {
    this.sc = sc;
    this.shards = shards;
    this.model = model;
    this.plan = plan;
  }

  /**
   * Sums of one step: loss, target tokens and gradient (not yet divided by the token count),
   * each partition's final states ({@code finalStates[p]}, null for random sampling), and the
   * slowest partition's kernel time.
   */
  record Totals(double lossSum, long tokens, float[] gradSum, float[][] finalStates,
                long maxKernelNanos) {}

  /** A job that does nothing on the same cached partitions: the fixed cost of one Spark step. */
  void runEmptyJob() {
    shards.foreachPartition(it -> { });
  }

  /** Runs step {@code step} of an epoch from {@code states} (null: zero state every step). */
  Totals run(float[] params, float[][] states, int epoch, int offset, int step) {
    Broadcast<float[]> bParams = sc.broadcast(params);
    Broadcast<float[][]> bStates = states == null ? null : sc.broadcast(states);
    try {
      List<StepResult> results = new ArrayList<>(shards
          .mapPartitions(new GradientTask(model, plan, bParams, bStates, epoch, offset, step))
          .collect());
      results.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      float[] grad = new float[params.length];
      float[][] finalStates = states == null ? null : new float[plan.partitions()][];
      double loss = 0;
      long tokens = 0;
      long maxKernelNanos = 0;
      for (StepResult r : results) {
        maxKernelNanos = Math.max(maxKernelNanos, r.kernelNanos());
        float[] g = r.gradSum();
        for (int i = 0; i < grad.length; i++) {
          grad[i] += g[i];
        }
        loss += r.lossSum();
        tokens += r.tokens();
        if (finalStates != null) {
          finalStates[r.partition()] = r.finalState();
        }
      }
      return new Totals(loss, tokens, grad, finalStates, maxKernelNanos);
    } finally {
      bParams.destroy();
      if (bStates != null) {
        bStates.destroy();
      }
    }
  }
}
