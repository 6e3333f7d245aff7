package dev.rnnlm.train;

import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One option of {@code train}, as the option table ({@link TrainOptions#ALL}) lists it: its name
 * (without "--"), the placeholder of its value (null for a flag), its default, its help, what
 * it does to a run ({@link Effect}), and how it sets and reads {@link TrainSettings}. Built
 * fluently: {@code value("epochs", "N", "passes over the corpus").defaultValue("500")...}.
 */
public final class TrainOption {
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

  private final String name;
  private final String valueName;
  private final String help;
  private String defaultValue;   // parsed into a fresh builder; null = none (required or unset)
  private String defaultShown;   // as help and the README show it; null = defaultValue
  private Effect effect = Effect.OUTPUT;
  private boolean recorded;      // kept in model.json's "training" record
  private boolean essential;     // also in the README's short table
  private BiConsumer<TrainSettings.Builder, String> setter;
  private Function<TrainSettings, String> getter;

  private TrainOption(String name, String valueName, String help) {
    this.name = name;
    this.valueName = valueName;
    this.help = help;
  }

  /** {@code --name VALUE}. */
  static TrainOption value(String name, String valueName, String help) {
    return new TrainOption(name, valueName, help);
  }

  /** {@code --name}, false unless given. */
  static TrainOption flag(String name, String help) {
    TrainOption o = new TrainOption(name, null, help);
    o.defaultValue = "false";
    o.defaultShown = "";
    return o;
  }

  TrainOption defaultValue(String value) {
    this.defaultValue = value;
    return this;
  }

  /** The default as help shows it when it is not the value itself ("all", "no cap"). */
  TrainOption shownAs(String shown) {
    this.defaultShown = shown;
    return this;
  }

  TrainOption effect(Effect e) {
    this.effect = e;
    this.recorded |= e != Effect.OUTPUT;
    return this;
  }

  /** Kept in the model's record of its training although it does not change the parameters. */
  /** Listed in the README's short table too (the command reference lists every option). */
  TrainOption essential() {
    this.essential = true;
    return this;
  }

  public boolean isEssential() {
    return essential;
  }

  TrainOption recorded() {
    this.recorded = true;
    return this;
  }

  /** How the option sets a builder from its text, and reads back from settings. */
  TrainOption binds(BiConsumer<TrainSettings.Builder, String> set, Function<TrainSettings, String> get) {
    this.setter = set;
    this.getter = get;
    return this;
  }

  public String name() {
    return name;
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

  /** The default as shown to users: "" for none. */
  public String defaultShown() {
    if (defaultShown != null) {
      return defaultShown;
    }
    return defaultValue == null ? "" : defaultValue;
  }

  /** The help line with its default, as {@code --help} prints it. */
  public String helpWithDefault() {
    String shown = defaultShown();
    return shown.isEmpty() ? help : help + " [" + shown + "]";
  }

  public Effect effect() {
    return effect;
  }

  boolean isRecorded() {
    return recorded;
  }

  /** Whether the option is part of {@link TrainSettings} (not command-line only, like --config). */
  boolean isSetting() {
    return setter != null;
  }

  void set(TrainSettings.Builder b, String value) {
    setter.accept(b, value);
  }

  void setDefault(TrainSettings.Builder b) {
    if (setter != null && defaultValue != null) {
      setter.accept(b, defaultValue);
    }
  }

  String get(TrainSettings s) {
    return getter.apply(s);
  }
}
