package dev.rnnlm.train;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.InputException;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.text.SubwordTokenizer;
import dev.rnnlm.text.TextPipeline;
import dev.rnnlm.text.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/** How a training run turns its text into ids: the settings' tokens, with the tokenizer.json they need. */
final class TrainingText {
  private TrainingText() {}

  /**
   * The pipeline of a run: a warm start's is its base model's; {@code --tokenizer FILE} reads
   * that file; {@code --tokens bpe} takes the tokenizer of the checkpoint it resumes from
   * ({@code resumed}, null when none), else learns one from the training text, {@code corpus}.
   */
  static TextPipeline of(JavaSparkContext sc, TrainSettings s, CorpusSource corpus, SavedModel base,
                         SavedModel resumed, PrintStream out) throws IOException {
    if (base != null) {
      return base.text();
    }
    if (s.tokens() == Tokenizer.TOKENIZER) {
      return new TextPipeline(s.normalize(), s.tokens(), read(sc, s.tokenizer()));
    }
    if (s.tokens() == Tokenizer.BPE) {
      if (resumed != null && resumed.text().subwords() != null) {
        return resumed.text();
      }
      return new TextPipeline(s.normalize(), s.tokens(), SubwordLearning.learn(sc, s, corpus, out));
    }
    return new TextPipeline(s.normalize(), s.tokens());
  }

  /** A tokenizer.json from any Hadoop path. */
  static SubwordTokenizer read(JavaSparkContext sc, String file) throws IOException {
    Path path = new Path(file);
    FileSystem fs = path.getFileSystem(sc.hadoopConfiguration());
    if (!fs.exists(path)) {
      throw new InputException("--tokenizer: file does not exist: " + file);
    }
    if (fs.getFileStatus(path).isDirectory()) {
      throw new InputException("--tokenizer: " + file + " is a directory; give its tokenizer.json");
    }
    try (InputStream in = fs.open(path)) {
      return SubwordTokenizer.of(in.readAllBytes(), file);
    }
  }
}
