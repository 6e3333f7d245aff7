package dev.rnnlm.cli;

/**
 * One command-line option: {@code --name VALUE}, or a flag {@code --name} when
 * {@code valueName} is null. Defaults live in the settings records; {@code help} shows them.
 */
record Option(String name, String valueName, String help) {
  static Option value(String name, String valueName, String help) {
    return new Option(name, valueName, help);
  }

  static Option flag(String name, String help) {
    return new Option(name, null, help);
  }

  boolean isFlag() {
    return valueName == null;
  }

  /** This option with {@code shown} as the default its help ends with ({@code [shown]}). */
  Option withShownDefault(String shown) {
    int bracket = help.lastIndexOf(" [");
    String text = bracket >= 0 && help.endsWith("]") ? help.substring(0, bracket) : help;
    return new Option(name, valueName, text + " [" + shown + "]");
  }
}
