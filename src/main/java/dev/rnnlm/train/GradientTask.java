package dev.rnnlm.train;

import dev.rnnlm.data.TokenShard;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.model.LanguageModel;
import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One training step on one partition: cut this step's windows from the cached shard, run
 * forward + BPTT from the carried state, return loss sum, gradient sum and final state.
 * Holds only broadcasts and small records; parameters never travel inside the task.
 *
 * <p>A named class rather than a lambda: Spark analyses the bytecode of every lambda it is
 * given (closure cleaning), which cost milliseconds per step; a plain serializable function
 * object is only checked for serializability.
 */
final class GradientTask extends AbstractFunction2<TaskContext, Iterator<TokenShard>, StepResult>
    implements Serializable {
  private final LanguageModel model;
  private final WindowPlan plan;
  private final Broadcast<float[]> params;
  private final Broadcast<float[][]> states; // per partition, or null: start from zeros
  private final int epoch;
  private final int offset;
  private final int step;

  GradientTask(LanguageModel model, WindowPlan plan, Broadcast<float[]> params,
               Broadcast<float[][]> states, int epoch, int offset, int step) {
    this.model = model;
    this.plan = plan;
    this.params = params;
    this.states = states;
    this.epoch = epoch;
    this.offset = offset;
    this.step = step;
  }

  @Override
  public StepResult apply(TaskContext context, Iterator<TokenShard> shards) {
    TokenShard shard = shards.next();
    int p = shard.partition();
    int b = plan.sequenceCount(p);
    int[] inputs = new int[plan.steps() * b];   // (T, b) time-major
    int[] targets = new int[plan.steps() * b];  // (T, b)
    plan.fillWindows(p, epoch, offset, step, shard, inputs, targets);
    float[] state = states == null ? new float[b * model.stateSize()] : states.value()[p].clone();
    float[] p0 = params.value();
    float[] grad = new float[p0.length];
    long start = System.nanoTime();
    double loss = model.lossAndGradient(p0, inputs, targets, b, plan.steps(), state, grad);
    long kernelNanos = System.nanoTime() - start;
    return new StepResult(p, loss, inputs.length, new PackedFloats(grad),
        states == null ? null : new PackedFloats(state), kernelNanos);
  }
}
