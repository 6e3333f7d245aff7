package dev.rnnlm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The testing page says what each test class proves, so it must name them all. */
class TestingPageTest {
  @Test
  void everyTestClassIsNamedOnTheTestingPage() throws IOException {
    String page = Files.readString(Path.of("src/site/markdown/testing.md"));
    Path tests = Path.of("src/test/java");
    List<String> missing;
    try (Stream<Path> files = Files.walk(tests)) {
      missing = files
          .map(f -> f.getFileName().toString())
          .filter(name -> name.endsWith("Test.java") || name.endsWith("IT.java"))
          .map(name -> name.substring(0, name.length() - ".java".length()))
          .filter(name -> !page.contains("`" + name + "`") && !page.contains("." + name + "`"))
          .sorted()
          .toList();
    }
    assertEquals(List.of(), missing, "test classes the testing page does not name");
  }
}
