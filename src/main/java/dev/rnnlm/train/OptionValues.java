package dev.rnnlm.train;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Option values by name (without "--") to typed values; a missing option takes the fallback,
 * and a value that does not parse is an error naming the option and the value.
 */
public final class OptionValues {
  private OptionValues() {}

  public static int intValue(Map<String, String> o, String name, int fallback) {
    return parse(o, name, fallback, Integer::parseInt, "an integer");
  }

  public static long longValue(Map<String, String> o, String name, long fallback) {
    return parse(o, name, fallback, Long::parseLong, "an integer");
  }

  public static float floatValue(Map<String, String> o, String name, float fallback) {
    return parse(o, name, fallback, Float::parseFloat, "a number");
  }

  public static double doubleValue(Map<String, String> o, String name, double fallback) {
    return parse(o, name, fallback, Double::parseDouble, "a number");
  }

  public static boolean booleanValue(Map<String, String> o, String name, boolean fallback) {
    return parse(o, name, fallback, OptionValues::parseBoolean, "true or false");
  }

  /** The words a flag's value may be (true/yes/1, false/no/0, any case); else NumberFormatException. */
  static Boolean parseBoolean(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new NumberFormatException(v);
    };
  }

  private static <T> T parse(Map<String, String> o, String name, T fallback,
                             Function<String, T> parser, String kind) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return parser.apply(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be " + kind + ", got '" + v + "'");
    }
  }
}
