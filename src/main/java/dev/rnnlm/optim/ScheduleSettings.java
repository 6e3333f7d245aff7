package dev.rnnlm.optim;

/**
 * The learning-rate schedule's options as given on the command line; null means "not given"
 * ({@link LearningRateSchedule#create} says what that means for each).
 *
 * @param decay {@code --lr-decay}: step's factor per period (default 0.1, torch's StepLR gamma)
 * @param decayEvery {@code --lr-decay-every}: step's period in optimizer steps (step needs it)
 * @param warmupSteps {@code --warmup-steps}: steps of linear warm-up before any schedule
 *     (default 0)
 */
public record ScheduleSettings(Double decay, Long decayEvery, Long warmupSteps) {

  /** Nothing given. */
  public static final ScheduleSettings DEFAULTS = new ScheduleSettings(null, null, null);

  public ScheduleSettings withDecay(double value) {
    return new ScheduleSettings(value, decayEvery, warmupSteps);
  }

  public ScheduleSettings withDecayEvery(long value) {
    return new ScheduleSettings(decay, value, warmupSteps);
  }

  public ScheduleSettings withWarmupSteps(long value) {
    return new ScheduleSettings(decay, decayEvery, value);
  }
}
