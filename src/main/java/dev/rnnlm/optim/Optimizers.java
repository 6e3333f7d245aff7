package dev.rnnlm.optim;

import dev.rnnlm.values.InvalidValueException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.Function;

/**
 * Builds an {@link Optimizer} from its {@code --optimizer} name and the options given. Which
 * options each takes, and their defaults (PyTorch's, except momentum's, whose torch default 0
 * would make it plain SGD):
 *
 * <pre>
 *   optimizer  --momentum  --beta1  --beta2        --eps   --weight-decay
 *   sgd                                                    0
 *   momentum   0.9                                         0
 *   adam                   0.9      0.999          1e-8    0 (L2, added to the gradient)
 *   adamw                  0.9      0.999          1e-8    0.01 (decoupled)
 *   rmsprop    0                    0.99 (alpha)   1e-8    0
 *   adagrad                                        1e-10   0
 * </pre>
 *
 * An option an optimizer does not take is rejected rather than ignored, so that a typo'd
 * optimizer name with, say, {@code --beta1} set does not train silently without it. Ranges:
 * {@code --momentum}, {@code --beta1}, {@code --beta2} in [0, 1); {@code --eps} &gt; 0; {@code
 * --weight-decay} &gt;= 0.
 */
public final class Optimizers {
  private static final Map<String, OptimizerSettings> DEFAULTS = new LinkedHashMap<>();

  static {
    OptimizerSettings none = OptimizerSettings.DEFAULTS;
    DEFAULTS.put("sgd", none.withWeightDecay(0));
    DEFAULTS.put("momentum", none.withMomentum(0.9).withWeightDecay(0));
    DEFAULTS.put("adam", none.withBeta1(0.9).withBeta2(0.999).withEps(1e-8).withWeightDecay(0));
    DEFAULTS.put("adamw", none.withBeta1(0.9).withBeta2(0.999).withEps(1e-8).withWeightDecay(0.01));
    DEFAULTS.put("rmsprop", none.withMomentum(0).withBeta2(0.99).withEps(1e-8).withWeightDecay(0));
    DEFAULTS.put("adagrad", none.withEps(1e-10).withWeightDecay(0));
  }

  /** Every {@code --optimizer} name, in the order {@code --help} lists them. */
  public static final List<String> NAMES = List.copyOf(DEFAULTS.keySet());

  private Optimizers() {}

  /**
   * The optimizer {@code name} for {@code size} parameters, with {@code given}'s options and
   * the defaults above for the rest, in its initial state (no step taken, zero slots).
   *
   * @throws IllegalArgumentException an unknown name, an option this optimizer does not take or
   *     a value out of range; one line naming the option and the value
   */
  public static Optimizer create(String name, OptimizerSettings given, int size) {
    OptimizerSettings s = resolve(name, given);
    return switch (name) {
      case "sgd" -> Sgd.withWeightDecay(s.weightDecay());
      case "momentum" -> new SgdMomentum(size, s.momentum(), s.weightDecay());
      case "adam" -> new Adam(size, s.beta1(), s.beta2(), s.eps(), s.weightDecay(), false);
      case "adamw" -> new Adam(size, s.beta1(), s.beta2(), s.eps(), s.weightDecay(), true);
      case "rmsprop" -> new RmsProp(size, s.beta2(), s.eps(), s.momentum(), s.weightDecay());
      case "adagrad" -> new Adagrad(size, s.eps(), s.weightDecay());
      default -> throw new AssertionError(name);
    };
  }

  /**
   * Parameter-sized arrays of state {@code name} keeps with {@code given}'s options: sgd none,
   * momentum and adagrad one, adam and adamw two, rmsprop one (two with momentum).
   */
  public static int stateArrays(String name, OptimizerSettings given) {
    OptimizerSettings s = resolve(name, given);
    return switch (name) {
      case "sgd" -> 0;
      case "adam", "adamw" -> 2;
      case "rmsprop" -> s.momentum() > 0 ? 2 : 1;
      default -> 1;
    };
  }

  /**
   * {@code name}'s defaults: the options it takes set, the others null.
   *
   * @throws IllegalArgumentException an unknown name
   */
  public static OptimizerSettings defaults(String name) {
    OptimizerSettings d = DEFAULTS.get(name);
    if (d == null) {
      throw new InvalidValueException("unknown optimizer '" + name + "': expected one of "
          + String.join(", ", NAMES));
    }
    return d;
  }

  /**
   * The settings {@code name} would run with: {@code given}'s values where set, its defaults
   * elsewhere, each checked.
   *
   * @throws IllegalArgumentException as {@link #create}
   */
  public static OptimizerSettings resolve(String name, OptimizerSettings given) {
    OptimizerSettings d = defaults(name);
    List<String> takes = new ArrayList<>();
    for (Option o : Option.values()) {
      if (o.get(d) != null) {
        takes.add(o.ref());
      }
    }
    for (Option o : Option.values()) {
      if (o.get(given) != null && o.get(d) == null) {
        throw new InvalidValueException(o.ref() + " does not apply to {optimizer} " + name
            + " (it takes " + String.join(", ", takes) + ")");
      }
    }
    return new OptimizerSettings(Option.MOMENTUM.pick(given, d), Option.BETA1.pick(given, d),
        Option.BETA2.pick(given, d), Option.EPS.pick(given, d), Option.WEIGHT_DECAY.pick(given, d));
  }

  /** The options: their names in {@link OptimizerSettings}, where it holds them, their range. */
  private enum Option {
    MOMENTUM("momentum", OptimizerSettings::momentum, Range.FRACTION),
    BETA1("beta1", OptimizerSettings::beta1, Range.FRACTION),
    BETA2("beta2", OptimizerSettings::beta2, Range.FRACTION),
    EPS("eps", OptimizerSettings::eps, Range.POSITIVE_FLOAT),
    WEIGHT_DECAY("weightDecay", OptimizerSettings::weightDecay, Range.NON_NEGATIVE);

    private final String name;
    private final Function<OptimizerSettings, Double> getter;
    private final Range range;

    Option(String name, Function<OptimizerSettings, Double> getter, Range range) {
      this.name = name;
      this.getter = getter;
      this.range = range;
    }

    Double get(OptimizerSettings s) {
      return getter.apply(s);
    }

    /** The name as a message writes it: {@code "{weightDecay}"}. */
    String ref() {
      return "{" + name + "}";
    }

    /** The given value (checked) or else the default; null when the optimizer does not take it. */
    Double pick(OptimizerSettings given, OptimizerSettings defaults) {
      Double v = get(given) != null ? get(given) : get(defaults);
      if (v != null && !range.test.test(v)) {
        throw new InvalidValueException(ref() + " must be " + range.text + ", got " + v);
      }
      return v;
    }
  }

  /** Written so that NaN and infinities fall outside every range. */
  private enum Range {
    FRACTION("in [0, 1)", v -> v >= 0 && v < 1),
    /** Still positive in float32, where the optimizers add it. */
    POSITIVE_FLOAT("> 0 (at least 1.4E-45, the smallest float32)",
        v -> (float) v > 0 && v < Float.MAX_VALUE),
    NON_NEGATIVE(">= 0", v -> v >= 0 && v < Double.POSITIVE_INFINITY);

    final String text;
    final DoublePredicate test;

    Range(String text, DoublePredicate test) {
      this.text = text;
      this.test = test;
    }
  }
}
