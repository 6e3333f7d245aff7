package dev.rnnlm.cli;

import java.util.Map;

/** Option values to numbers, with errors that name the option and the value. */
final class Numbers {
  private Numbers() {}

  static int parseInt(Map<String, String> values, String name, int fallback) {
    return (int) parse(values, name, fallback, true);
  }

  static long parseLong(Map<String, String> values, String name, long fallback) {
    return (long) parse(values, name, fallback, true);
  }

  static double parseDouble(Map<String, String> values, String name, double fallback) {
    return parse(values, name, fallback, false);
  }

  static float parseFloat(Map<String, String> values, String name, float fallback) {
    return (float) parse(values, name, fallback, false);
  }

  private static double parse(Map<String, String> values, String name, double fallback,
                              boolean integer) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return integer ? Long.parseLong(v.strip()) : Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be " + (integer ? "an integer" : "a number")
          + ", got '" + v + "'");
    }
  }
}
