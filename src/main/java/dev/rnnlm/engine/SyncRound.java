package dev.rnnlm.engine;

import java.io.Serializable;

/**
 * The steps between two synchronizations: {@code steps} consecutive steps of epoch {@code epoch}
 * (0-based; window offset {@code offset}) from step {@code firstStep} (0-based, within the
 * epoch). One step without local steps.
 */
public record SyncRound(int epoch, int offset, int firstStep, int steps) implements Serializable {
  /** The step after this round. */
  public int nextStep() {
    return firstStep + steps;
  }
}
