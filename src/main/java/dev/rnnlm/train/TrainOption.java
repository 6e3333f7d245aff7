package dev.rnnlm.train;

import dev.rnnlm.values.InvalidValueException;
import dev.rnnlm.values.NamedValues;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One option of {@code train}, declared once in the option table ({@link TrainOptions#ALL}): its
 * name (without "--"), the placeholder of its value (null for a flag), the type of its value
 * with how text becomes a value and back, its default, its help, its own checks, what it does to
 * a run ({@link Effect}) and, when it is one, its Spark ML param. From the declaration come the
 * command line and {@code --help}, the README's tables, {@link TrainSettings}' value of the
 * option ({@code settings.get(option)}), the model's record of its training and {@code
 * ml.RnnLM}'s param (name, doc, default). Messages name the option by {@link #ref}, which each
 * surface renders as its users call it ({@code --lr}, {@code lr}).
 *
 * <p>Built fluently in the table: {@code TrainOption.intValue("epochs", "N", "passes over the
 * corpus").defaultValue("500").positive().effect(ADJUSTABLE)}.
 *
 * @param <T> the type of the option's value in {@link TrainSettings}
 */
public final class TrainOption<T> {
  /** What an option does to the parameters a run produces; resume and retrain check by it. */
  public enum Effect {
    /** Decides the model's shape or text handling: fixed on resume, kept from the base model by retrain. */
    MODEL,
    /** Decides the data or the trajectory: a resumed run must use the same value. */
    TRAJECTORY,
    /** Changes the trajectory but may change on resume (a longer run, a rescued divergence). */
    ADJUSTABLE,
    /** Where and how the run writes and reports: never the parameters. */
    OUTPUT;

    /** Whether a resumed run must use the value the checkpoint was trained with. */
    public boolean fixedOnResume() {
      return this == MODEL || this == TRAJECTORY;
    }

    /** The README's "changes the trajectory" column. */
    String describe() {
      return switch (this) {
        case MODEL, TRAJECTORY -> "yes, fixed on resume";
        case ADJUSTABLE -> "yes";
        case OUTPUT -> "no";
      };
    }
  }

  /** The kind of value, which decides a Spark ML param's type (a float option is a DoubleParam). */
  public enum Kind { INT, LONG, FLOAT, DOUBLE, BOOLEAN, TEXT }

  /** A check of one value: {@code says} is the message after the option's name. */
  private record Check<T>(Predicate<T> ok, Function<T, String> says) {}

  private final String name;
  private final String valueName;
  private final String help;
  private final Kind kind;
  private final Function<String, T> parser;    // text -> value; a bad text throws naming this option
  private final Function<T, String> formatter; // value -> text that parses back to it
  private final List<Check<T>> checks = new ArrayList<>();
  private String defaultValue;   // parsed for a fresh builder; null = none (command-line only)
  private String defaultShown;   // as help and the README show it; null = defaultValue
  private Effect effect = Effect.OUTPUT;
  private boolean recorded;      // kept in model.json's "training" record
  private boolean essential;     // also in the README's short table
  private boolean setting = true; // part of TrainSettings (not --config, --overwrite)
  private String paramName;      // the Spark ML param's name; null = none

  private TrainOption(String name, String valueName, String help, Kind kind,
                      Function<String, T> parser, Function<T, String> formatter) {
    this.name = name;
    this.valueName = valueName;
    this.help = help;
    this.kind = kind;
    this.parser = parser;
    this.formatter = formatter;
  }

  /** {@code --name N}: an int. */
  static TrainOption<Integer> intValue(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.INT,
        v -> number(name, v, Integer::parseInt, "an integer"), String::valueOf);
  }

  /** {@code --name N}: a long. */
  static TrainOption<Long> longValue(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.LONG,
        v -> number(name, v, Long::parseLong, "an integer"), String::valueOf);
  }

  /** {@code --name X}: a float. */
  static TrainOption<Float> floatValue(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.FLOAT,
        v -> number(name, v, Float::parseFloat, "a number"), String::valueOf);
  }

  /** {@code --name X}: a double. */
  static TrainOption<Double> doubleValue(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.DOUBLE,
        v -> number(name, v, Double::parseDouble, "a number"), String::valueOf);
  }

  /** {@code --name X}, or "" for none (null): a double whose absence means "someone's default". */
  static TrainOption<Double> optionalDouble(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.TEXT,
        v -> v.isEmpty() ? null : number(name, v, Double::parseDouble, "a number"),
        v -> v == null ? "" : Double.toString(v));
  }

  /** {@code --name N}, or "" for none (null). */
  static TrainOption<Long> optionalLong(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.TEXT,
        v -> v.isEmpty() ? null : number(name, v, Long::parseLong, "an integer"),
        v -> v == null ? "" : Long.toString(v));
  }

  /** {@code --name}: false unless given. */
  static TrainOption<Boolean> flag(String name, String help) {
    TrainOption<Boolean> o = new TrainOption<>(name, null, help, Kind.BOOLEAN,
        v -> number(name, v, OptionValues::parseBoolean, "true or false"), String::valueOf);
    o.defaultValue = "false";
    o.defaultShown = "";
    return o;
  }

  /** {@code --name TEXT}: the text as given. */
  static TrainOption<String> text(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.TEXT, v -> v, v -> v);
  }

  /**
   * {@code --name NAME}: one of several named values. {@code parse} may reject a name with an
   * {@link InvalidValueException}; whatever value that names is this option.
   */
  static <E> TrainOption<E> choice(String name, String valueName, String help,
                                   Function<String, E> parse, Function<E, String> format) {
    return new TrainOption<>(name, valueName, help, Kind.TEXT, v -> {
      try {
        return parse.apply(v);
      } catch (InvalidValueException e) {
        throw OptionException.renamed(e, term -> ref(name));
      }
    }, format);
  }

  /** {@code --name C1,C2,...}: ints separated by commas; "" is none. */
  static TrainOption<List<Integer>> intList(String name, String valueName, String help) {
    return new TrainOption<>(name, valueName, help, Kind.TEXT, v -> {
      List<Integer> out = new ArrayList<>();
      if (v.isBlank()) {
        return List.copyOf(out);
      }
      for (String item : v.split(",", -1)) {
        try {
          out.add(Integer.parseInt(item.strip()));
        } catch (NumberFormatException e) {
          throw new OptionException(ref(name) + " must be integers separated by commas, got '" + v + "'");
        }
      }
      return List.copyOf(out);
    }, TrainOptions::intList);
  }

  private static <N> N number(String name, String v, Function<String, N> parse, String kind) {
    try {
      return parse.apply(v.strip());
    } catch (NumberFormatException e) {
      throw new OptionException(ref(name) + " must be " + kind + ", got '" + v + "'");
    }
  }

  TrainOption<T> defaultValue(String value) {
    this.defaultValue = value;
    return this;
  }

  /** The default as help shows it when it is not the value itself ("all", "no cap"). */
  TrainOption<T> shownAs(String shown) {
    this.defaultShown = shown;
    return this;
  }

  TrainOption<T> effect(Effect e) {
    this.effect = e;
    this.recorded |= e != Effect.OUTPUT;
    return this;
  }

  /** Listed in the README's short table too (the command reference lists every option). */
  TrainOption<T> essential() {
    this.essential = true;
    return this;
  }

  /** Kept in the model's record of its training although it does not change the parameters. */
  TrainOption<T> recorded() {
    this.recorded = true;
    return this;
  }

  /** Only on the command line (--config, --overwrite): not a value of {@link TrainSettings}. */
  TrainOption<T> commandLineOnly() {
    this.setting = false;
    this.defaultValue = null;
    return this;
  }

  /**
   * Rejects a value {@code ok} refuses, with the message "{@code --name} {@code says(value)}":
   * {@code check(v -> v >= 0, v -> "must be >= 0, got " + v)}. Checks run when settings are built.
   */
  TrainOption<T> check(Predicate<T> ok, Function<T, String> says) {
    checks.add(new Check<>(ok, says));
    return this;
  }

  /** "must be > 0, got V" below 1. */
  TrainOption<T> positive() {
    return check(v -> ((Number) v).longValue() > 0, v -> "must be > 0, got " + v);
  }

  /** "must be >= 0, got V" below 0. */
  TrainOption<T> nonNegative() {
    return check(v -> ((Number) v).longValue() >= 0, v -> "must be >= 0, got " + v);
  }

  /** A Spark ML param of {@code ml.RnnLM}, named as the option in camel case (min-freq: minFreq). */
  TrainOption<T> param() {
    return param(camelCase(name));
  }

  /** A Spark ML param of {@code ml.RnnLM} under its own name (batch: batchSize). */
  TrainOption<T> param(String paramName) {
    this.paramName = paramName;
    return this;
  }

  public String name() {
    return name;
  }

  /** The option as the command line writes it: {@code --name}. */
  public String flag() {
    return "--" + name;
  }

  /** The option as a message template names it, for each surface to render: {@code "{name}"}. */
  public String ref() {
    return ref(name);
  }

  static String ref(String name) {
    return NamedValues.ref(name);
  }

  /** The value's placeholder ("N", "sequential|random"); null for a flag. */
  public String valueName() {
    return valueName;
  }

  public boolean isFlag() {
    return valueName == null;
  }

  public String help() {
    return help;
  }

  public Kind kind() {
    return kind;
  }

  /** The default as shown to users: "" for none. */
  public String defaultShown() {
    if (defaultShown != null) {
      return defaultShown;
    }
    return defaultValue == null ? "" : defaultValue;
  }

  /** The default's text, as a value would be given ("500", "rnn"); null for a command-line-only option. */
  public String defaultText() {
    return defaultValue;
  }

  /** The help line with its default, as {@code --help} prints it. */
  public String helpWithDefault() {
    String shown = defaultShown();
    return shown.isEmpty() ? help : help + " [" + shown + "]";
  }

  public Effect effect() {
    return effect;
  }

  /** Whether the README's short table lists it. */
  public boolean isEssential() {
    return essential;
  }

  /** Whether the option is a param of {@code ml.RnnLM}. */
  public boolean isParam() {
    return paramName != null;
  }

  /** Its Spark ML param's name; null when it has none. */
  public String paramName() {
    return paramName;
  }

  boolean isRecorded() {
    return recorded;
  }

  /** Whether the option is part of {@link TrainSettings} (not command-line only, like --config). */
  public boolean isSetting() {
    return setting;
  }

  /**
   * The value of {@code text}, as given on the command line or in a config file.
   *
   * @throws OptionException naming this option and the text when it is not a value of its type
   */
  public T parse(String text) {
    return parser.apply(text);
  }

  /** The text of {@code value} that {@link #parse} reads back as it. */
  public String format(T value) {
    return formatter.apply(value);
  }

  /** The text of this option's value in {@code s} (as the model's record of its training keeps it). */
  String get(TrainSettings s) {
    return format(s.get(this));
  }

  /** Runs this option's own checks on {@code value}. */
  void validate(T value) {
    for (Check<T> c : checks) {
      if (!c.ok().test(value)) {
        throw new OptionException(ref() + " " + c.says().apply(value));
      }
    }
  }

  /** {@code value} as this option's type, or a ClassCastException naming the option. */
  @SuppressWarnings("unchecked")
  T cast(Object value) {
    return (T) value;
  }

  /** "min-freq" as "minFreq". */
  static String camelCase(String name) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return flag();
  }
}
