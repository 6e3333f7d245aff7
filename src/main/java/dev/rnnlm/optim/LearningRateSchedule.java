package dev.rnnlm.optim;

import dev.rnnlm.values.InvalidValueException;
import java.util.List;

/**
 * The learning rate of each optimizer step: {@code --lr-schedule constant|step|cosine|plateau}
 * after an optional linear warm-up. {@code s} counts optimizer steps from 0 over the whole run, across
 * epochs, and a resumed run continues the count. With {@code W} warm-up steps and {@code t = s -
 * W}, the rate of step {@code s}:
 *
 * <pre>
 *   s &lt; W        lr * (s + 1) / W                          (reaches lr at s = W - 1)
 *   constant     lr
 *   step         lr * decay^floor(t / every)
 *   cosine       lr * (1 + cos(pi * t / (total - W))) / 2   (0 from s = total on)
 *   plateau      lr * decay^k, k: the epochs so far whose validation perplexity was not below
 *                every earlier epoch's
 * </pre>
 *
 * Plateau is PyTorch's word_language_model rule ({@code lr /= 4.0} after an epoch whose
 * validation loss is no better than the best so far; decay 0.25 by default): a function of the
 * validation history, which the caller gives after each epoch's validation
 * ({@link #afterValidations}) and which checkpoints keep, so a resumed run has the same rates.
 *
 * Each schedule starts at {@code t = 0} with exactly {@code lr}. Without warm-up, step and
 * cosine give the rates of PyTorch's {@code StepLR(step_size=every, gamma=decay)} and the closed
 * form of {@code CosineAnnealingLR(T_max=total, eta_min=0)}, stepped once per optimizer step;
 * cosine anneals to 0 over the {@code total} optimizer steps of the run (the caller's count over
 * all epochs, which may differ in length) and stays at 0 past them, where torch's would rise
 * again. Rates are computed in float64 and rounded to float32 once, so a constant schedule gives
 * {@code lr} itself, bit for bit.
 */
public final class LearningRateSchedule {
  /** Every {@code --lr-schedule} name. */
  public static final List<String> NAMES = List.of("constant", "step", "cosine", "plateau");

  private final String name;
  private final float lr;
  private final long warmup;
  private final double decay;
  private final long every;
  private final long total;
  /** Plateau: the decays so far (epochs whose validation did not improve); 0 for the others. */
  private final int plateaus;

  private LearningRateSchedule(String name, float lr, long warmup, double decay, long every,
                               long total, int plateaus) {
    this.name = name;
    this.lr = lr;
    this.warmup = warmup;
    this.decay = decay;
    this.every = every;
    this.total = total;
    this.plateaus = plateaus;
  }

  /**
   * The schedule {@code name} from the rate {@code lr} and the schedule's settings; {@code
   * totalSteps}, the optimizer steps of the whole run, matters only to cosine.
   *
   * @throws InvalidValueException an unknown name, a setting this schedule does not take or a
   *     value out of range; one line naming the value in this class's terms ({@code {decay}},
   *     {@code {decayEvery}}, {@code {warmupSteps}}, {@code {lr}}, {@code {schedule}})
   */
  public static LearningRateSchedule create(String name, float lr, ScheduleSettings s,
                                            long totalSteps) {
    check(name, s);
    long warmup = s.warmupSteps() == null ? 0 : s.warmupSteps();
    return switch (name) {
      case "constant" -> constant(lr, warmup);
      case "step" -> step(lr, s.decay() == null ? 0.1 : s.decay(), s.decayEvery(), warmup);
      case "plateau" -> plateau(lr, s.decay() == null ? 0.25 : s.decay(), warmup);
      default -> cosine(lr, totalSteps, warmup);
    };
  }

  /**
   * Checks what {@link #create} checks before it knows the run's length and rate: the name, that
   * the schedule takes the options given, and their ranges.
   *
   * @throws IllegalArgumentException as {@link #create}
   */
  public static void check(String name, ScheduleSettings s) {
    if (!NAMES.contains(name)) {
      throw new InvalidValueException("unknown lr schedule '" + name + "': expected one of "
          + String.join(", ", NAMES));
    }
    if (!name.equals("step")) {
      rejectUnlessStep(name, "decayEvery", s.decayEvery());
      if (!name.equals("plateau") && s.decay() != null) {
        throw new InvalidValueException("{decay} applies only to {schedule} step and plateau,"
            + " not " + name);
      }
    }
    if (name.equals("step") && s.decayEvery() == null) {
      throw new InvalidValueException("{schedule} step needs {decayEvery} N");
    }
    if (s.decay() != null) {
      checkDecay(s.decay());
    }
    if (s.decayEvery() != null) {
      checkEvery(s.decayEvery());
    }
    if (s.warmupSteps() != null) {
      checkWarmup(s.warmupSteps());
    }
  }

  /** {@code lr} at every step after {@code warmup} warm-up steps. */
  public static LearningRateSchedule constant(float lr, long warmup) {
    return new LearningRateSchedule("constant", checkLr(lr), checkWarmup(warmup), 1, 1, 0, 0);
  }

  /** {@code lr} multiplied by {@code decay} every {@code every} steps after the warm-up. */
  public static LearningRateSchedule step(float lr, double decay, long every, long warmup) {
    checkDecay(decay);
    checkEvery(every);
    return new LearningRateSchedule("step", checkLr(lr), checkWarmup(warmup), decay, every, 0, 0);
  }

  /** {@code lr} multiplied by {@code decay} after each epoch whose validation did not improve. */
  public static LearningRateSchedule plateau(float lr, double decay, long warmup) {
    checkDecay(decay);
    return new LearningRateSchedule("plateau", checkLr(lr), checkWarmup(warmup), decay, 1, 0, 0);
  }

  /** Whether this schedule's rates depend on the validation history (plateau). */
  public boolean needsValidation() {
    return name.equals("plateau");
  }

  /**
   * This schedule after the epochs whose validation perplexities are {@code validation}, in
   * epoch order: for plateau, one decay per epoch that is not below the best before it; the
   * other schedules do not change.
   */
  public LearningRateSchedule afterValidations(List<Double> validation) {
    if (!needsValidation()) {
      return this;
    }
    return new LearningRateSchedule(name, lr, warmup, decay, every, total, plateaus(validation));
  }

  /** The epochs of {@code validation} that did not improve on the best before them. */
  static int plateaus(List<Double> validation) {
    int count = 0;
    double best = Double.POSITIVE_INFINITY;
    for (double v : validation) {
      if (v < best) {
        best = v;
      } else {
        count++;
      }
    }
    return count;
  }

  /** Cosine annealing from {@code lr} to 0 between the end of the warm-up and {@code total}. */
  public static LearningRateSchedule cosine(float lr, long total, long warmup) {
    checkWarmup(warmup);
    if (total <= warmup) {
      throw new InvalidValueException("{schedule} cosine: the run has " + total
          + " optimizer steps, none left after {warmupSteps} " + warmup);
    }
    return new LearningRateSchedule("cosine", checkLr(lr), warmup, 1, 1, total, 0);
  }

  /**
   * The rate of optimizer step {@code step} (0 for the run's first).
   *
   * @throws IllegalArgumentException a negative step
   */
  public float lr(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (step < warmup) {
      return (float) ((double) lr * (step + 1) / warmup);
    }
    long t = step - warmup;
    return switch (name) {
      case "constant" -> lr;
      case "step" -> (float) (lr * Math.pow(decay, (double) (t / every)));
      case "plateau" -> (float) (lr * Math.pow(decay, plateaus));
      default -> t >= total - warmup ? 0f
          : (float) (lr * (1 + Math.cos(Math.PI * t / (total - warmup))) / 2);
    };
  }

  /** The {@code --lr-schedule} name. */
  public String name() {
    return name;
  }

  /** {@code "cosine(lr=1.0, total=5000, warmup=100)"}. */
  @Override
  public String toString() {
    String w = warmup > 0 ? ", warmup=" + warmup : "";
    return switch (name) {
      case "constant" -> "constant(lr=" + lr + w + ")";
      case "step" -> "step(lr=" + lr + ", decay=" + decay + ", every=" + every + w + ")";
      case "plateau" -> "plateau(lr=" + lr + ", decay=" + decay + ", decays=" + plateaus + w + ")";
      default -> "cosine(lr=" + lr + ", total=" + total + w + ")";
    };
  }

  private static void rejectUnlessStep(String name, String option, Object given) {
    if (given != null) {
      throw new InvalidValueException("{" + option + "} applies only to {schedule} step, not "
          + name);
    }
  }

  private static void checkEvery(long every) {
    if (every < 1) {
      throw new InvalidValueException("{decayEvery} must be >= 1, got " + every);
    }
  }

  private static void checkDecay(double decay) {
    if (!(decay > 0 && decay <= 1)) {
      throw new InvalidValueException("{decay} must be in (0, 1], got " + decay);
    }
  }

  private static float checkLr(float lr) {
    if (!(lr > 0) || !Float.isFinite(lr)) {
      throw new InvalidValueException("{lr} must be > 0, got " + lr);
    }
    return lr;
  }

  private static long checkWarmup(long warmup) {
    if (warmup < 0) {
      throw new InvalidValueException("{warmupSteps} must be >= 0, got " + warmup);
    }
    return warmup;
  }
}
