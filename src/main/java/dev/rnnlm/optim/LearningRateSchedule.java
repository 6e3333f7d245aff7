package dev.rnnlm.optim;

import java.util.List;

/**
 * The learning rate of each optimizer step: {@code --lr-schedule constant|step|cosine} after an
 * optional linear warm-up. {@code s} counts optimizer steps from 0 over the whole run, across
 * epochs, and a resumed run continues the count. With {@code W} warm-up steps and {@code t = s -
 * W}, the rate of step {@code s}:
 *
 * <pre>
 *   s &lt; W        lr * (s + 1) / W                          (reaches lr at s = W - 1)
 *   constant     lr
 *   step         lr * decay^floor(t / every)
 *   cosine       lr * (1 + cos(pi * t / (total - W))) / 2   (0 from s = total on)
 * </pre>
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
  public static final List<String> NAMES = List.of("constant", "step", "cosine");

  private final String name;
  private final float lr;
  private final long warmup;
  private final double decay;
  private final long every;
  private final long total;

  private LearningRateSchedule(String name, float lr, long warmup, double decay, long every,
                               long total) {
    this.name = name;
    this.lr = lr;
    this.warmup = warmup;
    this.decay = decay;
    this.every = every;
    this.total = total;
  }

  /**
   * The schedule {@code name} from {@code --lr} and the schedule options; {@code totalSteps}, the
   * optimizer steps of the whole run, matters only to cosine.
   *
   * @throws IllegalArgumentException an unknown name, an option this schedule does not take or
   *     a value out of range; one line naming the option and the value
   */
  public static LearningRateSchedule create(String name, float lr, ScheduleSettings s,
                                            long totalSteps) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown lr schedule '" + name + "': expected one of "
          + String.join(", ", NAMES));
    }
    if (!name.equals("step")) {
      rejectUnlessStep(name, "--lr-decay", s.decay());
      rejectUnlessStep(name, "--lr-decay-every", s.decayEvery());
    }
    long warmup = s.warmupSteps() == null ? 0 : s.warmupSteps();
    return switch (name) {
      case "constant" -> constant(lr, warmup);
      case "step" -> {
        if (s.decayEvery() == null) {
          throw new IllegalArgumentException("--lr-schedule step needs --lr-decay-every N");
        }
        yield step(lr, s.decay() == null ? 0.1 : s.decay(), s.decayEvery(), warmup);
      }
      default -> cosine(lr, totalSteps, warmup);
    };
  }

  /** {@code lr} at every step after {@code warmup} warm-up steps. */
  public static LearningRateSchedule constant(float lr, long warmup) {
    return new LearningRateSchedule("constant", checkLr(lr), checkWarmup(warmup), 1, 1, 0);
  }

  /** {@code lr} multiplied by {@code decay} every {@code every} steps after the warm-up. */
  public static LearningRateSchedule step(float lr, double decay, long every, long warmup) {
    if (!(decay > 0 && decay <= 1)) {
      throw new IllegalArgumentException("--lr-decay must be in (0, 1], got " + decay);
    }
    if (every < 1) {
      throw new IllegalArgumentException("--lr-decay-every must be >= 1, got " + every);
    }
    return new LearningRateSchedule("step", checkLr(lr), checkWarmup(warmup), decay, every, 0);
  }

  /** Cosine annealing from {@code lr} to 0 between the end of the warm-up and {@code total}. */
  public static LearningRateSchedule cosine(float lr, long total, long warmup) {
    checkWarmup(warmup);
    if (total <= warmup) {
      throw new IllegalArgumentException("--lr-schedule cosine: the run has " + total
          + " optimizer steps, none left after --warmup-steps " + warmup);
    }
    return new LearningRateSchedule("cosine", checkLr(lr), warmup, 1, 1, total);
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
      default -> "cosine(lr=" + lr + ", total=" + total + w + ")";
    };
  }

  private static void rejectUnlessStep(String name, String option, Object given) {
    if (given != null) {
      throw new IllegalArgumentException(option + " applies only to --lr-schedule step, not "
          + name);
    }
  }

  private static float checkLr(float lr) {
    if (!(lr > 0) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException("--lr must be > 0, got " + lr);
    }
    return lr;
  }

  private static long checkWarmup(long warmup) {
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup-steps must be >= 0, got " + warmup);
    }
    return warmup;
  }
}
