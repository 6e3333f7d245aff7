package dev.rnnlm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scopt.OptionParser;
import scopt.Read$;

/**
 * Parses a command's arguments with scopt into option values by name. Values stay strings
 * here; the settings records convert and validate them, naming the option and the value.
 */
final class OptionParsing {
  /** Thrown for anything the user typed wrong; the message is the one line to print. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }

  /** Parsed values, or {@code helpShown} when --help printed the usage. */
  record Parsed(Map<String, String> values, boolean helpShown) {}

  private OptionParsing() {}

  static Parsed parse(String command, String description, List<Option> options, String[] args,
                      PrintStream out) {
    List<String> errors = new ArrayList<>();
    boolean[] help = {false};
    OptionParser<Map<String, String>> parser = new OptionParser<>("rnnlm " + command) {
      @Override
      public void reportError(String msg) {
        errors.add(msg);
      }

      @Override
      public void reportWarning(String msg) {
        errors.add(msg);
      }

      @Override
      public void terminate(scala.util.Either<String, BoxedUnit> exitState) {
        help[0] = true;
      }

      @Override
      public void displayToOut(String msg) {
        out.println(msg);
      }

      @Override
      public void displayToErr(String msg) {
        errors.add(msg);
      }
    };
    parser.head(CollectionConverters.asScala(List.of("rnnlm " + command + ":", description)).toList());
    parser.help("help").text("print this usage and exit");
    for (Option o : options) {
      if (o.isFlag()) {
        parser.opt(o.name(), Read$.MODULE$.unitRead()).text(o.help())
            .action((v, c) -> with(c, o.name(), "true"));
      } else {
        parser.opt(o.name(), Read$.MODULE$.stringRead()).valueName(o.valueName()).text(o.help())
            .action((v, c) -> with(c, o.name(), v));
      }
    }
    scala.Option<Map<String, String>> result =
        parser.parse(CollectionConverters.asScala(List.of(args)), new LinkedHashMap<>());
    if (!errors.isEmpty() || result.isEmpty()) {
      String first = errors.isEmpty() ? "invalid arguments" : errors.get(0);
      throw new UsageException(first + " (see rnnlm " + command + " --help)");
    }
    return new Parsed(result.get(), help[0]);
  }

  /**
   * Reads a properties file whose keys are option names (with or without "--"), rejecting
   * keys that are not options of the command.
   */
  static Map<String, String> readConfig(String file, List<Option> options) {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(Paths.get(file))) {
      props.load(in);
    } catch (NoSuchFileException e) {
      throw new UsageException("--config file does not exist: " + file);
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException("cannot read --config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : props.stringPropertyNames()) {
      String name = key.startsWith("--") ? key.substring(2) : key;
      if (options.stream().noneMatch(o -> o.name().equals(name)) || name.equals("config")) {
        throw new UsageException("unknown option '" + key + "' in --config file " + file);
      }
      values.put(name, props.getProperty(key).strip());
    }
    return values;
  }

  /** The parsed values laid over those of the {@code --config} file, when one is given. */
  static Map<String, String> withConfigFile(Parsed parsed, List<Option> options) {
    Map<String, String> values = new LinkedHashMap<>();
    String config = parsed.values().get("config");
    if (config != null) {
      values.putAll(readConfig(config, options));
    }
    values.putAll(parsed.values());
    values.remove("config");
    return values;
  }

  static String require(Map<String, String> values, String name, String command) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      throw new UsageException("missing option --" + name + " (see rnnlm " + command + " --help)");
    }
    return v;
  }

  private static Map<String, String> with(Map<String, String> c, String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(c);
    copy.put(key, value);
    return copy;
  }
}
