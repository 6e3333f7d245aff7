package dev.rnnlm.train;

import java.io.Serializable;

/**
 * The steps between two synchronizations: {@code steps} consecutive steps of epoch {@code epoch}
 * (window offset {@code offset}) from step {@code firstStep}. One step without local steps.
 */
record SyncRound(int epoch, int offset, int firstStep, int steps) implements Serializable {
  /** The step after this round. */
  int nextStep() {
    return firstStep + steps;
  }
}
