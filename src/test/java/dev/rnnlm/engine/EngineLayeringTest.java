package dev.rnnlm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine sits below the training loop: its sources name only the packages below it (data,
 * model, optim, linalg, text) and Spark, never train, io, cli or ml, so no arrow runs back up
 * from the engine to the loop or the applications.
 */
class EngineLayeringTest {
  private static final List<String> ALLOWED = List.of("data", "engine", "linalg", "model", "optim", "text");
  private static final Pattern OWN_REFERENCE = Pattern.compile("\\bdev\\.rnnlm\\.([a-z]+)\\b");

  @Test
  void theEngineRefersOnlyToThePackagesBelowIt() throws IOException {
    Path engine = Path.of("src/main/java/dev/rnnlm/engine");
    List<String> upward = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> files = Files.list(engine)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
    assertFalse(sources.isEmpty(), "no sources in " + engine);
    for (Path source : sources) {
      Matcher m = OWN_REFERENCE.matcher(Files.readString(source));
      while (m.find()) {
        if (!ALLOWED.contains(m.group(1))) {
          upward.add(source.getFileName() + ": " + m.group());
        }
      }
    }
    assertEquals(List.of(), upward, "engine sources referring to packages above it");
  }
}
