package dev.rnnlm.train;

import java.util.ArrayList;
import java.util.List;
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
    return parse(o, name, fallback, v -> switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new NumberFormatException(v);
    }, "true or false");
  }

  /** {@code v}, the value of {@code --name}, as an int: an error names the option and the value. */
  static int toInt(String name, String v) {
    return intValue(Map.of(name, v), name, 0);
  }

  static long toLong(String name, String v) {
    return longValue(Map.of(name, v), name, 0);
  }

  static float toFloat(String name, String v) {
    return floatValue(Map.of(name, v), name, 0);
  }

  static double toDouble(String name, String v) {
    return doubleValue(Map.of(name, v), name, 0);
  }

  static boolean toBoolean(String name, String v) {
    return booleanValue(Map.of(name, v), name, false);
  }

  /** {@code v}, a comma-separated list of ints ("" is none): an error names the option and the value. */
  static List<Integer> toIntList(String name, String v) {
    List<Integer> out = new ArrayList<>();
    if (v.isBlank()) {
      return out;
    }
    for (String item : v.split(",", -1)) {
      try {
        out.add(Integer.parseInt(item.strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be integers separated by commas, got '"
            + v + "'");
      }
    }
    return out;
  }

  /** The inverse of {@link #toIntList}: "2000,10000". */
  static String intList(List<Integer> values) {
    return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
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
