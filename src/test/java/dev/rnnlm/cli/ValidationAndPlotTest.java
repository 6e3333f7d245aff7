package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.testutil.SparkTestContext;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation perplexity in the log and metrics, and the training plot, through the CLI. */
class ValidationAndPlotTest {
  @TempDir
  Path work;

  @Test
  void heldOutValidationIsReportedEachEpochAndPlotted() throws IOException {
    Path model = work.resolve("m");
    CliRun run = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", model.toString(), "--epochs", "3", "--hidden", "32", "--batch", "16",
        "--val-fraction", "0.1", "--sample-every", "0");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(3, run.out().lines().filter(l -> l.matches("^epoch \\d .* val_perplexity [0-9.]+$")).count(),
        run.out());
    List<String> metrics = Files.readAllLines(model.resolve("metrics.jsonl"));
    assertEquals(3, metrics.size());
    metrics.forEach(m -> assertTrue(m.contains("\"val_perplexity\":"), m));

    BufferedImage plot = ImageIO.read(model.resolve("training.png").toFile());
    assertEquals(800, plot.getWidth());
    assertEquals(500, plot.getHeight());
    assertTrue(distinctColours(plot) > 3, "the plot has lines and text, not a blank image");
  }

  @Test
  void valAndValFractionExcludeEachOther() {
    CliRun run = CliRun.of("train", "--input", SparkTestContext.sampleData().toString(),
        "--model", work.resolve("m").toString(), "--val", "x", "--val-fraction", "0.1");
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("--val-fraction"), run.err());
  }

  private static int distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int x = 0; x < image.getWidth(); x += 3) {
      for (int y = 0; y < image.getHeight(); y += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
