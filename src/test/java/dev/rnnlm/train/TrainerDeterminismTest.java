package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Same input, settings, seed and partition count: byte-identical parameter files. */
@Tag("bit-identity")
class TrainerDeterminismTest {
  @TempDir
  Path work;

  private byte[] trainParameters(String name, Sampling sampling, long seed) throws IOException {
    Path dir = work.resolve(name);
    TrainSettings s = TrainOptions.fromMap(options("input", SparkTestContext.sampleData().toString(),
        "model", dir.toString(), "epochs", "2", "hidden", "32", "batch", "8", "steps", "10",
        "sampling", sampling.optionName(), "normalize", "lower", "max-tokens", "6000",
        "partitions", "2", "seed", Long.toString(seed), "sample-every", "0"));
    new Trainer(SparkTestContext.get(), s, new PrintStream(new ByteArrayOutputStream())).run();
    return Files.readAllBytes(dir.resolve(ModelStore.PARAMS_FILE));
  }

  static Map<String, String> options(String... keyValues) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  @ParameterizedTest
  @EnumSource(Sampling.class)
  void twoRunsWithTheSameSeedWriteByteIdenticalParameters(Sampling sampling) throws IOException {
    byte[] first = trainParameters("a", sampling, 11);
    byte[] second = trainParameters("b", sampling, 11);
    assertArrayEquals(first, second);
    byte[] otherSeed = trainParameters("c", sampling, 12);
    assertFalse(Arrays.equals(first, otherSeed), "a different seed gives a different model");
  }
}
