package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Same input, settings, seed and partition count: byte-identical parameter files. */
class TrainerDeterminismTest {
  @TempDir
  Path work;

  private byte[] trainParameters(String name, Sampling sampling, long seed) throws IOException {
    Path dir = work.resolve(name);
    TrainSettings s = new TrainSettings(SparkTestContext.sampleData().toString(), dir.toString(),
        2, 32, 8, 10, 1.0f, 1.0f, sampling, Tokenizer.CHAR, Normalizer.LOWER, 0, 6000, 2,
        "local[2]", seed, 0, "", "", 0);
    new Trainer(SparkTestContext.get(), s, new PrintStream(new ByteArrayOutputStream())).run();
    return Files.readAllBytes(dir.resolve(ModelStore.PARAMS_FILE));
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
