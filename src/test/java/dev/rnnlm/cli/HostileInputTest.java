package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.Architecture;
import dev.rnnlm.model.RnnModel;
import dev.rnnlm.testutil.SparkTestContext;
import dev.rnnlm.text.Normalizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import dev.rnnlm.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strange files and broken model directories: a clear message each, and nothing lost. */
class HostileInputTest {
  @TempDir
  Path work;

  private CliRun train(String input, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("train", "--input", input, "--model",
        work.resolve("model").toString(), "--epochs", "1", "--hidden", "16", "--batch", "8",
        "--steps", "10", "--max-tokens", "4000", "--sample-every", "0"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private Path goodText() throws IOException {
    return Files.copy(SparkTestContext.sampleData().resolve("clockmaker.txt"), work.resolve("in").resolve("good.txt"));
  }

  @Test
  void emptyFilesAmongGoodOnesAreHarmless() throws IOException {
    Path in = Files.createDirectories(work.resolve("in"));
    Files.writeString(in.resolve("a-empty.txt"), "");
    Files.writeString(in.resolve("z-empty.txt"), "");
    Files.writeString(in.resolve("blank-lines.txt"), "\n\n\n");
    goodText();
    CliRun run = train(in.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(Files.exists(work.resolve("model").resolve(ModelStore.MODEL_FILE)));
  }

  @Test
  void aBinaryFileInTheInputIsDecodedWithReplacementsAndReported() throws IOException {
    Path in = Files.createDirectories(work.resolve("in"));
    byte[] noise = new byte[20000];
    new SplittableRandom(3).nextBytes(noise);
    Files.write(in.resolve("image.bin"), noise);
    goodText();
    CliRun run = train(in.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().matches("(?s).*warning: replaced [1-9]\\d* malformed UTF-8 byte sequences in .*"), run.out());
  }

  @Test
  void anExplodingWordVocabularyIsCappedByMaxVocab() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20000; i++) {
      text.append("the w").append(i).append(i % 12 == 11 ? "\n" : " ");
    }
    Path corpus = Files.writeString(work.resolve("words.txt"), text);
    CliRun run = train(corpus.toString(), "--tokens", "word", "--max-vocab", "50");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("vocabulary 50,"), run.out());
    SavedModel model = new ModelStore(new Configuration()).load(work.resolve("model").toString());
    assertEquals(50, model.vocabulary().size());
    assertEquals("the", model.vocabulary().token(1), "the most frequent word keeps an id");
  }

  @Test
  void a200MegabyteFileWithoutLineBreaksTrainsWithDefaultMemory() throws IOException {
    Path big = work.resolve("one-line.txt");
    byte[] block = "the keeper lit the old lamp and the tide came in over the rocks "
        .repeat(16_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII); // ~1 MB, no '\n'
    try (var out = Files.newOutputStream(big)) {
      for (long written = 0; written < 200L << 20; written += block.length) {
        out.write(block);
      }
    }
    CliRun run = train(big.toString(), "--normalize", "d2l");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("epoch 1 perplexity"), run.out());
  }

  /** A small valid model directory written without Spark. */
  private Path savedModel() throws IOException {
    Vocabulary vocab = Vocabulary.ofTokens(List.of("<unk>", "a", "b"));
    float[] params = new float[new RnnModel(3, 4).layout().size()];
    new RnnModel(3, 4).initialize(params, 1);
    Path dir = work.resolve("saved");
    new ModelStore(new Configuration()).save(dir.toString(), new SavedModel(Architecture.rnn(4),
        new TextPipeline(Normalizer.NONE, Tokenizer.CHAR), vocab, params,
        new SavedModel.Lineage(new SavedModel.TrainingPosition(1, 1, 1), Map.of(), Map.of())));
    return dir;
  }

  private void assertGenerateFails(Path dir, String fragment) {
    CliRun run = CliRun.of("generate", "--model", dir.toString(), "--prefix", "a");
    assertNotEquals(0, run.exitCode());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains(fragment) && run.err().contains(dir.toString()), run.err());
  }

  @Test
  void halfWrittenUnreadableNewerAndCorruptModelDirectoriesAreEachNamed() throws IOException {
    Path dir = savedModel();
    assertEquals(0, CliRun.of("generate", "--model", dir.toString(), "--prefix", "a").exitCode());

    Path half = Files.createDirectories(work.resolve("half"));
    Files.copy(dir.resolve(ModelStore.PARAMS_FILE), half.resolve(ModelStore.PARAMS_FILE));
    assertGenerateFails(half, "not a model directory");

    Path unreadable = Files.createDirectories(work.resolve("unreadable"));
    Files.writeString(unreadable.resolve(ModelStore.MODEL_FILE), "{\"format\": \"spark-rnn-lm\", ");
    assertGenerateFails(unreadable, "unreadable model.json");

    Path newer = work.resolve("newer");
    copyDir(dir, newer);
    Path json = newer.resolve(ModelStore.MODEL_FILE);
    int future = ModelStore.VERSION + 1;
    Files.writeString(json, Files.readString(json).replaceFirst("\"version\" : \\d+", "\"version\" : " + future));
    assertGenerateFails(newer, "format version " + future);

    Path corrupt = work.resolve("corrupt");
    copyDir(dir, corrupt);
    byte[] params = Files.readAllBytes(corrupt.resolve(ModelStore.PARAMS_FILE));
    params[7] ^= 1;
    Files.write(corrupt.resolve(ModelStore.PARAMS_FILE), params);
    assertGenerateFails(corrupt, "SHA-256");
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().startsWith(".")) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }
}
