package dev.rnnlm.io;

import java.util.List;

/**
 * Everything needed to continue training exactly where it stopped: the model (parameters,
 * vocabulary, options), the position inside the epoch, each partition's carried hidden state,
 * the epoch's running sums, and the history the log and plot are drawn from. SGD has no state
 * of its own, and every random choice is derived from (seed, epoch, partition), so nothing
 * else is needed for a bit-identical continuation.
 *
 * @param model parameters, vocabulary and options; {@code position().epochs()} is the epochs completed
 * @param epoch the epoch in progress (0-based)
 * @param step the next step within that epoch
 * @param states each partition's carried state (null when none is carried)
 * @param lossSum the epoch's summed loss so far
 * @param tokens the epoch's target tokens so far
 * @param normSum the epoch's summed gradient norms so far
 * @param clipped the epoch's clipped steps so far
 * @param perplexities training perplexity of each completed epoch
 * @param valPerplexities validation perplexity of each completed epoch (empty without validation)
 */
public record Checkpoint(SavedModel model, int epoch, int step, float[][] states, double lossSum,
                         long tokens, double normSum, int clipped, List<Double> perplexities,
                         List<Double> valPerplexities) {}
