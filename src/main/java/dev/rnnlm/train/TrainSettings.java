package dev.rnnlm.train;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;

/**
 * Everything a training run is given. Defaults are the book's (see {@link #DEFAULTS}); the
 * constructor rejects values that cannot work, naming the option and the value.
 *
 * @param input comma-separated input paths (files, directories, globs; any Hadoop file system)
 * @param modelDir where the model is written
 * @param epochs passes over the corpus
 * @param hidden hidden units H
 * @param batch sequences per step B (global, over all partitions)
 * @param steps time steps per window T
 * @param lr SGD learning rate
 * @param clip global gradient-norm bound theta
 * @param sampling sequential or random minibatches
 * @param tokens char or word tokens
 * @param normalize text cleaning before tokenization
 * @param minFreq tokens seen fewer times map to {@code <unk>}
 * @param maxTokens keep only the first N tokens; 0 = all
 * @param partitions training partitions; 0 = Spark's default parallelism, at most B
 * @param master Spark master used when none is configured
 * @param seed seed of every random choice (initialization, offsets, shuffles)
 * @param sampleEvery print a generated sample every N epochs; 0 = never
 * @param samplePrefix prefix of those samples; empty = the corpus's first tokens
 * @param val validation text scored every epoch; empty = none
 * @param valFraction hold out this tail fraction of each input file for validation; 0 = none
 * @param checkpointEvery write a checkpoint every N epochs; 0 = never
 * @param checkpointEverySteps write a checkpoint every N optimizer steps; 0 = never
 * @param keepCheckpoints how many of the newest checkpoints to keep
 * @param resume continue from the newest good checkpoint in the model directory
 * @param maxVocab at most this many ids, {@code <unk>} included; 0 = no cap
 * @param skipMemoryCheck train even when the memory estimate exceeds the heaps (it warns)
 * @param verbose print where the time before the first step went
 * @param allowMixedKernels train even when executors compute with different kernels (warns once)
 */
public record TrainSettings(String input, String modelDir, int epochs, int hidden, int batch,
                            int steps, float lr, float clip, Sampling sampling, Tokenizer tokens,
                            Normalizer normalize, long minFreq, long maxTokens, int partitions,
                            String master, long seed, int sampleEvery, String samplePrefix,
                            String val, double valFraction, int checkpointEvery,
                            int checkpointEverySteps, int keepCheckpoints, boolean resume,
                            int maxVocab, boolean skipMemoryCheck, boolean verbose,
                            boolean allowMixedKernels) {

  public static final TrainSettings DEFAULTS = new TrainSettings("", "", 500, 512, 32, 35, 1.0f,
      1.0f, Sampling.SEQUENTIAL, Tokenizer.CHAR, Normalizer.NONE, 0, 0, 0, "local[*]", 0, 10, "", "", 0, 1, 0, 3, false, 0, false, false, false);

  public TrainSettings {
    positive("--epochs", epochs);
    positive("--hidden", hidden);
    positive("--batch", batch);
    positive("--steps", steps);
    if (!(lr > 0) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException("--lr must be > 0, got " + lr);
    }
    if (!(clip > 0) || !Float.isFinite(clip)) {
      throw new IllegalArgumentException("--clip must be > 0, got " + clip);
    }
    nonNegative("--min-freq", minFreq);
    nonNegative("--max-tokens", maxTokens);
    nonNegative("--partitions", partitions);
    nonNegative("--sample-every", sampleEvery);
    nonNegative("--checkpoint-every", checkpointEvery);
    if (maxVocab == 1 || maxVocab < 0) {
      throw new IllegalArgumentException("--max-vocab must be 0 (no cap) or >= 2, got " + maxVocab);
    }
    nonNegative("--checkpoint-every-steps", checkpointEverySteps);
    positive("--keep-checkpoints", keepCheckpoints);
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
    }
    if (valFraction > 0 && !val.isEmpty()) {
      throw new IllegalArgumentException("--val and --val-fraction exclude each other, got both");
    }
    if (partitions > batch) {
      throw new IllegalArgumentException("--partitions must be at most --batch (" + batch
          + "), got " + partitions);
    }
  }

  /** The same settings writing to {@code dir} (a staging directory, a registry's new version). */
  public TrainSettings withModelDir(String dir) {
    return new TrainSettings(input, dir, epochs, hidden, batch, steps, lr, clip, sampling, tokens,
        normalize, minFreq, maxTokens, partitions, master, seed, sampleEvery, samplePrefix, val,
        valFraction, checkpointEvery, checkpointEverySteps, keepCheckpoints, resume, maxVocab,
        skipMemoryCheck, verbose, allowMixedKernels);
  }

  private static void positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be > 0, got " + value);
    }
  }

  private static void nonNegative(String option, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(option + " must be >= 0, got " + value);
    }
  }
}
