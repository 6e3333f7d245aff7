package dev.rnnlm.optim;

import dev.rnnlm.values.InvalidValueException;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's update after a synchronization of local steps: each partition ran several steps
 * of its own from the same parameters {@code θ} and returned its change; their weighted mean
 * {@code Δ} is turned into the outer gradient {@code g = -Δ}, clipped by global norm (when
 * {@code clip > 0}) and applied by SGD or Nesterov momentum, as PyTorch's {@code SGD} does:
 *
 * <pre>
 *   m = μ m + g                  (m starts at zero; skipped when μ = 0)
 *   sgd:      θ -= lr m          (μ = 0: θ -= lr g)
 *   nesterov: θ -= lr (g + μ m)
 * </pre>
 *
 * With the defaults (sgd, lr 1, μ 0, no clip) this is {@code θ += Δ}: plain parameter averaging.
 * The momentum buffer is the only state; a checkpoint keeps it ({@link #momentum}).
 */
public final class OuterUpdate {
  /** The outer optimizer's name on the command line. */
  public enum Kind {
    SGD, NESTEROV;

    public static Kind parse(String name) {
      for (Kind k : values()) {
        if (k.optionName().equals(name)) {
          return k;
        }
      }
      throw new InvalidValueException("{kind} must be sgd or nesterov, got '" + name + "'");
    }

    public String optionName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * @param kind sgd or nesterov
   * @param lr outer learning rate
   * @param momentum μ in [0, 1)
   * @param clip global-norm bound of the outer gradient; 0: none
   */
  public record Settings(Kind kind, float lr, float momentum, float clip) {
    public Settings {
      if (!(lr > 0) || !Float.isFinite(lr)) {
        throw new InvalidValueException("{lr} must be > 0, got " + lr);
      }
      if (!(momentum >= 0 && momentum < 1)) {
        throw new InvalidValueException("{momentum} must be in [0, 1), got " + momentum);
      }
      if (!(clip >= 0) || !Float.isFinite(clip)) {
        throw new InvalidValueException("{clip} must be >= 0 (0 = no clipping), got " + clip);
      }
      if (kind == Kind.NESTEROV && momentum == 0) {
        throw new InvalidValueException("{kind} nesterov needs {momentum} > 0, got 0");
      }
    }
  }

  private final Settings settings;
  private final float[] momentum;

  /** An update for {@code size} parameters, its momentum buffer from {@code restored} (null: zeros). */
  public OuterUpdate(Settings settings, int size, OptimizerState restoredState) {
    this.settings = settings;
    float[] restored = restoredState == null ? null : restoredState.slot("momentum_buffer");
    if (restored != null && restored.length != size) {
      throw new IllegalArgumentException("outer momentum buffer has " + restored.length
          + " floats, the model " + size);
    }
    this.momentum = settings.momentum() == 0 ? null
        : restored != null ? restored.clone() : new float[size];
  }

  /** Parameter-sized arrays an update of {@code settings} keeps: its momentum buffer, or none. */
  public static int stateArrays(Settings settings) {
    return settings.momentum() == 0 ? 0 : 1;
  }

  /**
   * Applies the mean change {@code delta} (overwritten: it becomes the clipped outer gradient) to
   * {@code params}; returns the outer gradient's norm before clipping.
   */
  public double apply(float[] params, float[] delta) {
    for (int i = 0; i < delta.length; i++) {
      delta[i] = -delta[i];
    }
    float[] g = delta;
    double norm = settings.clip() > 0 ? GradientClipping.clipByGlobalNorm(g, settings.clip())
        : GradientClipping.globalNorm(g);
    float lr = settings.lr();
    if (momentum == null) {
      for (int i = 0; i < params.length; i++) {
        params[i] -= lr * g[i];
      }
      return norm;
    }
    float mu = settings.momentum();
    boolean nesterov = settings.kind() == Kind.NESTEROV;
    for (int i = 0; i < params.length; i++) {
      float m = mu * momentum[i] + g[i];
      momentum[i] = m;
      params[i] -= lr * (nesterov ? g[i] + mu * m : m);
    }
    return norm;
  }

  /** Its name in checkpoints: "outer-sgd" or "outer-nesterov". */
  public String name() {
    return "outer-" + settings.kind().optionName();
  }

  /** The momentum buffer to checkpoint (a copy), or null when there is none (μ = 0). */
  public OptimizerState state() {
    return momentum == null ? null : new OptimizerState(name(), 0,
        List.of(new OptimizerState.Slot("momentum_buffer", Arrays.copyOf(momentum, momentum.length))));
  }
}
