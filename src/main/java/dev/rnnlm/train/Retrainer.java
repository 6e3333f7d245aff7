package dev.rnnlm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.EncodedCorpus;
import dev.rnnlm.data.InputFiles;
import dev.rnnlm.io.CheckpointStore;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.Registry;
import dev.rnnlm.io.SavedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Scheduled retraining against a {@link Registry}: warm-start from the current model with its
 * vocabulary fixed, train, score the current and the new model on the same validation text,
 * and promote the new version only when it is not worse than the current one by more than the
 * tolerance. The first run on an empty registry trains from scratch and promotes.
 */
public final class Retrainer {
  private final JavaSparkContext sc;
  private final PrintStream out;
  private final List<TrainingListener> listeners = new ArrayList<>();

  public Retrainer(JavaSparkContext sc, PrintStream out) {
    this.sc = sc;
    this.out = out;
  }

  /**
   * Adds {@code listener} to every retrain's training run, after the run's own (console,
   * metrics, plot, gauges): it hears the new version's epochs, steps and checkpoints as
   * {@link Trainer#addListener} does.
   */
  public Retrainer addListener(TrainingListener listener) {
    listeners.add(listener);
    return this;
  }

  /** What a retrain decided. */
  public record Result(String version, boolean promoted, double newPerplexity,
                       Double currentPerplexity, String current) {}

  /** Epochs of a retrain when --epochs is not given (a warm start needs few). */
  public static final String DEFAULT_EPOCHS = "10";
  /** The validation of a retrain when neither --val nor --val-fraction is given. */
  public static final String DEFAULT_VAL_FRACTION = "0.1";

  /**
   * Runs one retrain. {@code options} are training options by name; for a registry with a
   * current model, they are laid over that model's own options, and the model's shape and text
   * settings must not change.
   */
  public Result run(Registry registry, Map<String, String> options, double tolerance, int keep)
      throws IOException {
    Instant started = Instant.now();
    Optional<String> current = registry.current();
    ModelStore store = new ModelStore(sc.hadoopConfiguration());
    SavedModel base = current.isPresent() ? store.load(registry.versionDir(current.get())) : null;
    Map<String, String> merged = new LinkedHashMap<>();
    if (base != null) {
      merged.putAll(base.training());
      merged.remove("val");
      merged.remove("val-fraction");
      // The model's shape and text handling are the base model's (the option table's MODEL options).
      for (String fixed : TrainOptions.namesWith(TrainOption.Effect.MODEL)) {
        if (options.containsKey(fixed) && !options.get(fixed).equals(merged.get(fixed))) {
          throw new IllegalArgumentException("--" + fixed + " " + options.get(fixed)
              + " differs from the current model's " + merged.get(fixed) + " (" + current.get() + ")");
        }
      }
      merged.remove("partitions"); // the cluster may have changed; any count gives the same maths
    }
    merged.putAll(options);
    if (!merged.containsKey("val") && !merged.containsKey("val-fraction")) {
      merged.put("val-fraction", DEFAULT_VAL_FRACTION);
    }
    String version = registry.nextVersion();
    Path published = new Path(registry.versionDir(version));
    Path work = new Path(published.getParent(), "." + version + ".tmp");
    FileSystem fs = work.getFileSystem(sc.hadoopConfiguration());
    fs.delete(work, true);
    merged.put("model", work.toString());
    TrainSettings settings = TrainOptions.fromMap(merged);
    out.printf("retrain: %s -> %s%n", current.orElse("(empty registry)"), version);

    Trainer trainer = new Trainer(sc, settings, out, base);
    listeners.forEach(trainer::addListener);
    Trainer.Outcome outcome = trainer.run();
    fs.delete(new Path(work, CheckpointStore.DIR), true);
    SavedModel trained = outcome.model();
    double newPerplexity;
    Double currentPerplexity = null;
    try (EncodedCorpus validation = validationText(settings, trained)) {
      int partitions = Math.max(1, sc.defaultParallelism());
      int streams = settings.valStreams() > 0 ? settings.valStreams() : partitions;
      newPerplexity = Evaluator.score(sc, validation, trained.model(), trained.params(),
          settings.steps(), streams, partitions).perplexity();
      if (base != null) {
        currentPerplexity = Evaluator.score(sc, validation, base.model(), base.params(),
            settings.steps(), streams, partitions).perplexity();
      }
    }
    boolean promote = currentPerplexity == null || newPerplexity <= currentPerplexity * (1 + tolerance);
    writeProvenance(fs, work, settings, current.orElse(null), started, newPerplexity,
        currentPerplexity, promote);
    if (!fs.rename(work, published)) {
      throw new IOException("cannot publish " + work + " as " + published);
    }
    if (promote) {
      registry.promote(version);
    }
    registry.prune(keep);
    return new Result(version, promote, newPerplexity, currentPerplexity, current.orElse(null));
  }

  /** The validation text, read with the trained model's vocabulary (the same for both models). */
  private EncodedCorpus validationText(TrainSettings s, SavedModel trained) throws IOException {
    if (!s.val().isEmpty()) {
      return EncodedCorpus.read(sc, CorpusSource.files(s.val()), trained.text(), trained.vocabulary(), 0, 0);
    }
    EncodedCorpus all = EncodedCorpus.read(sc, CorpusSource.files(s.input()), trained.text(),
        trained.vocabulary(), 0, 0);
    return all.splitTails(s.valFraction()).validation();
  }

  private void writeProvenance(FileSystem fs, Path dir, TrainSettings s, String parent,
                               Instant started, double newPerplexity, Double currentPerplexity,
                               boolean promoted) throws IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("input", s.input());
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (org.apache.hadoop.fs.Path f : InputFiles.expand(s.input(), sc.hadoopConfiguration())) {
      sizes.put(f.toString(), f.getFileSystem(sc.hadoopConfiguration()).getFileStatus(f).getLen());
    }
    p.put("input_files", sizes);
    p.put("validation", s.val().isEmpty() ? "last " + s.valFraction() + " of each input file" : s.val());
    p.put("config", TrainOptions.toMap(s, s.partitions()));
    p.put("parent", parent);
    p.put("started", started.toString());
    p.put("finished", Instant.now().toString());
    p.put("val_perplexity", newPerplexity);
    p.put("parent_val_perplexity", currentPerplexity);
    p.put("promoted", promoted);
    try (var o = fs.create(new Path(dir, "provenance.json"), true)) {
      o.write(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(p)
          .getBytes(StandardCharsets.UTF_8));
    }
  }
}
