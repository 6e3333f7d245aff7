package dev.rnnlm.ml;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.InputException;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.LanguageModels;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.train.EpochMetrics;
import dev.rnnlm.train.TrainOptions;
import dev.rnnlm.train.TrainSettings;
import dev.rnnlm.train.Trainer;
import dev.rnnlm.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark ML estimator of an RNN language model. {@link #fit} trains with the trainer of
 * {@code rnnlm train} on the rows of the string column {@code inputCol}, in the dataset's
 * order, as the lines of one corpus file ({@link CorpusSource#lines}): the same rows, params and
 * seed give the same model, byte for byte, as {@code train} on a file holding those lines. Null
 * rows are skipped.
 *
 * <p>The training params are {@code train}'s options under Spark ML's names (the option each
 * mirrors is in its doc, e.g. {@code batchSize} is {@code --batch}), with {@code train}'s
 * defaults. They are checked by {@code train}'s own validation, when {@code fit} (or a
 * pipeline's schema check) runs, with its messages in param names: "hidden must be > 0, got
 * -3", "minFreq must be >= 0, got -1".
 *
 * <p>{@code fit} hands the rows to the trainer as they are, with no file in between; unless the
 * dataset is persisted, it caches them (MEMORY_AND_DISK) while the trainer reads them, which takes
 * two or three passes, and releases them when training starts. The trainer writes its model
 * into a temporary directory on the driver's local disk, deleted when {@code fit} returns; the
 * model's summary holds the per-epoch metrics a {@link TrainingListener} received, the lines of
 * the directory's {@code metrics.jsonl}. {@code stagingDir} is no longer used (kept so that
 * estimators saved with it still load). What the trainer reports goes to this class's logger at
 * INFO, or with {@code verbose} to standard output as on the command line.
 */
public final class RnnLM extends Estimator<RnnLMModel> implements DefaultParamsWritable {
  private static final Logger LOG = LoggerFactory.getLogger(RnnLM.class);
  /** What the trainer implements today; other values are rejected by name. */
  private static final List<String> OPTIMIZERS = Optimizers.NAMES;
  private static final int LAYERS = 1;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> cell;
  private final IntParam layers;
  private final DoubleParam dropout;
  private final IntParam embedding;
  private final BooleanParam tieWeights;
  private final Param<String> softmax;
  private final Param<String> cutoffs;
  private final Param<String> optimizer;
  private final IntParam epochs;
  private final IntParam hidden;
  private final IntParam batchSize;
  private final IntParam steps;
  private final DoubleParam lr;
  private final DoubleParam clip;
  private final Param<String> sampling;
  private final Param<String> tokens;
  private final Param<String> normalize;
  private final LongParam minFreq;
  private final LongParam maxTokens;
  private final IntParam maxVocab;
  private final IntParam vocabSize;
  private final Param<String> tokenizer;
  private final IntParam partitions;
  private final LongParam seed;
  private final DoubleParam validationFraction;
  private final IntParam validationStreams;
  private final BooleanParam skipMemoryCheck;
  private final Param<String> stagingDir;
  private final BooleanParam verbose;
  private final Param<String> perplexityCol;
  private final Param<String> logLikelihoodCol;
  private final Param<String> tokensCol;
  /** The training params and the {@code train} options they are, in {@code train}'s order. */
  private final Map<Param<?>, String> optionOfParam = new LinkedHashMap<>();

  public RnnLM() {
    this(Identifiable.randomUID("rnnlm"));
  }

  /** With a given uid: how Spark's ML reader re-creates a saved estimator. */
  public RnnLM(String uid) {
    this.uid = uid;
    TrainSettings d = TrainSettings.DEFAULTS;
    inputCol = stringParam("inputCol", "string column whose rows are the corpus's lines", "text");
    cell = stringParam("cell", "recurrent cell: one of " + LanguageModels.CELL_TYPES, "rnn");
    layers = new IntParam(this, "layers", "stacked recurrent layers");
    setDefault(layers, LAYERS);
    dropout = doubleParam("dropout", "dropout",
        "inverted dropout on each layer's output and on the embedding's (training only)", d.dropout());
    embedding = intParam("embedding", "embedding",
        "input embedding size, as PyTorch's word_language_model; 0 = one-hot inputs", d.embedding());
    tieWeights = new BooleanParam(this, "tieWeights",
        "the output layer's weight is the embedding (needs embedding equal to hidden)");
    setDefault(tieWeights, d.tieWeights());
    optionOfParam.put(tieWeights, "tie-weights");
    softmax = optionParam("softmax", "softmax", "output layer: full, or adaptive (with cutoffs)",
        d.softmax());
    cutoffs = optionParam("cutoffs", "cutoffs",
        "adaptive softmax: comma-separated ids where the head and each cluster end, e.g. 2000,10000", "");
    optimizer = stringParam("optimizer", "optimizer: one of " + OPTIMIZERS, "sgd");
    epochs = intParam("epochs", "epochs", "passes over the corpus", d.epochs());
    hidden = intParam("hidden", "hidden", "hidden units", d.hidden());
    batchSize = intParam("batchSize", "batch", "sequences per step, over all partitions", d.batch());
    steps = intParam("steps", "steps", "time steps per window (truncated BPTT length)", d.steps());
    lr = doubleParam("lr", "lr", "SGD learning rate", d.lr());
    clip = doubleParam("clip", "clip", "clip the gradient to this global L2 norm", d.clip());
    sampling = optionParam("sampling", "sampling", "minibatch iterator: sequential or random",
        d.sampling().optionName());
    tokens = optionParam("tokens", "tokens", "tokenization: char, word, word-eos (words and <eos> at line ends)"
        + " or bpe (subwords of a byte-level BPE learned from the rows, vocabSize tokens)", d.tokens().optionName());
    vocabSize = intParam("vocabSize", "vocab-size", "with tokens bpe: the vocabulary to learn, the 256 bytes"
        + " included", d.vocabSize());
    tokenizer = optionParam("tokenizer", "tokenizer", "subword tokens of this Hugging Face tokenizer.json (a"
        + " Hadoop path), with its ids; empty = none", d.tokenizer());
    normalize = optionParam("normalize", "normalize",
        "text cleaning: none, lower or d2l (letters only, lower case, lines joined)",
        d.normalize().optionName());
    minFreq = longParam("minFreq", "min-freq", "tokens seen fewer times map to <unk>", d.minFreq());
    maxTokens = longParam("maxTokens", "max-tokens", "keep only the first N tokens; 0 = all", d.maxTokens());
    maxVocab = intParam("maxVocab", "max-vocab",
        "at most N ids including <unk>: the most frequent tokens; 0 = no cap", d.maxVocab());
    partitions = intParam("partitions", "partitions",
        "training partitions; 0 = Spark's default parallelism, at most batchSize", d.partitions());
    seed = longParam("seed", "seed", "seed of every random choice", d.seed());
    validationFraction = doubleParam("validationFraction", "val-fraction",
        "hold out this last fraction of the corpus for validation (perplexity every epoch)",
        d.valFraction());
    validationStreams = intParam("validationStreams", "val-streams",
        "score the validation text as N contiguous streams batched over the partitions; 0 = one"
        + " per training partition", d.valStreams());
    skipMemoryCheck = new BooleanParam(this, "skipMemoryCheck",
        "train even when the memory estimate exceeds the heaps (train --skip-memory-check)");
    setDefault(skipMemoryCheck, d.skipMemoryCheck());
    optionOfParam.put(skipMemoryCheck, "skip-memory-check");
    stagingDir = stringParam("stagingDir", "not used: fit reads the rows directly and stages no"
        + " file (kept so that estimators saved with it load)", "");
    verbose = new BooleanParam(this, "verbose",
        "print training's report to standard output (otherwise to the log at INFO)");
    setDefault(verbose, false);
    perplexityCol = stringParam("perplexityCol", Columns.PERPLEXITY_DOC, Columns.PERPLEXITY);
    logLikelihoodCol = stringParam("logLikelihoodCol", Columns.LOG_LIKELIHOOD_DOC,
        Columns.LOG_LIKELIHOOD);
    tokensCol = stringParam("tokensCol", Columns.TOKENS_DOC, Columns.TOKENS);
  }

  /** Reads an estimator saved with {@code write().save(path)}; Pipeline loading calls it too. */
  public static MLReader<RnnLM> read() {
    return new DefaultParamsReadable<RnnLM>() {}.read();
  }

  public static RnnLM load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public RnnLM copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /**
   * Checks every param and that {@code inputCol} is a string column; the schema the fitted
   * model's {@code transform} gives (with its default generation params).
   */
  @Override
  public StructType transformSchema(StructType schema) {
    trainSettings("", "");
    Columns.requireString(schema, "inputCol", getInputCol());
    return Columns.withOutputs(schema, $(perplexityCol), $(logLikelihoodCol), $(tokensCol), null);
  }

  /**
   * Trains on the rows of {@code inputCol} (see the class comment). The model's
   * {@code inputCol} and score column names are this estimator's.
   *
   * @throws IllegalArgumentException naming the param and value when a param is invalid, or
   *     {@code inputCol} is missing or not a string column
   * @throws InputException when the rows cannot be trained on (no tokens, too few for one step)
   */
  @Override
  public RnnLMModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    String column = getInputCol();
    String corpus = "inputCol '" + column + "'";
    JavaRDD<String> rows = dataset.select(dataset.col(column)).toJavaRDD().map(row -> row.getString(0));
    boolean cacheRows = dataset.storageLevel().equals(StorageLevel.NONE());
    String previousDescription = sc.getLocalProperty("spark.job.description");
    Path modelDir = null;
    FileSystem fs = null;
    PrintStream report = getVerbose() ? System.out : LogLines.to(LOG);
    try {
      if (cacheRows) {
        rows.persist(StorageLevel.MEMORY_AND_DISK());
      }
      // The trainer writes a model directory, from the driver only; fit takes the model from the outcome.
      modelDir = new Path("file", null, Files.createTempDirectory("rnnlm-fit-").toAbsolutePath().toString());
      fs = modelDir.getFileSystem(sc.hadoopConfiguration());
      Trainer.Outcome outcome;
      List<Map<String, Number>> metrics = new ArrayList<>();
      try {
        outcome = new Trainer(sc, trainSettings(corpus, modelDir.toString()), report)
            .readingFrom(CorpusSource.lines(rows, corpus))
            .addListener(new TrainingListener() {
              @Override
              public void epochStarted(int epoch, int steps) {
                if (cacheRows) {
                  rows.unpersist(false); // read and laid out: training needs them no more
                }
              }

              @Override
              public void epochEnded(EpochMetrics epoch) throws IOException {
                metrics.add(ModelStore.metricsAsRead(epoch.asJson()));
              }
            })
            .run();
      } catch (IllegalArgumentException | InputException e) {
        throw OptionMessages.inParamNames(e, paramOfOption(), Map.of());
      }
      RnnLMModel model = new RnnLMModel(uid, trainedOnColumn(outcome.model(), column), metrics);
      return copyValues(model, ParamMap.empty()).setParent(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      sc.setLocalProperty("spark.job.description", previousDescription);
      if (report != System.out) {
        report.close();
      }
      if (cacheRows) {
        rows.unpersist(false);
      }
      deleteQuietly(fs, modelDir);
    }
  }

  /**
   * The settings {@code train} would get for these params, reading {@code input} and writing
   * {@code modelDir}; invalid params fail with the command line's message in param names.
   */
  TrainSettings trainSettings(String input, String modelDir) {
    requireOneOf("cell", $(cell), LanguageModels.CELL_TYPES);
    if (getLayers() < 1) {
      throw new IllegalArgumentException("layers must be >= 1, got " + getLayers());
    }
    requireOneOf("optimizer", $(optimizer), OPTIMIZERS);
    Map<String, String> options = new LinkedHashMap<>();
    options.put("input", input);
    options.put("model", modelDir);
    options.put("cell", $(cell));
    options.put("layers", Integer.toString(getLayers()));
    options.put("optimizer", $(optimizer));
    optionOfParam.forEach((param, option) -> options.put(option, String.valueOf(getOrDefault(param))));
    // The model directory of a fit is temporary: no checkpoint could be resumed.
    options.put("checkpoint-every", "0");
    options.put("checkpoint-every-minutes", "0");
    try {
      return TrainOptions.fromMap(options);
    } catch (IllegalArgumentException e) {
      throw OptionMessages.inParamNames(e, paramOfOption(), Map.of());
    }
  }

  private Map<String, String> paramOfOption() {
    Map<String, String> names = new LinkedHashMap<>();
    optionOfParam.forEach((param, option) -> names.put(option, param.name()));
    return names;
  }

  private static void requireOneOf(String param, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw new IllegalArgumentException(param + " must be one of " + allowed + ", got " + value);
    }
  }

  /** The model with its input described as the column it came from and the call that read it. */
  private static SavedModel trainedOnColumn(SavedModel m, String column) {
    String input = "inputCol '" + column + "' of a Spark ML fit";
    Map<String, String> training = new LinkedHashMap<>(m.training());
    training.put("input", input);
    Map<String, String> provenance = new LinkedHashMap<>(m.provenance());
    provenance.put("input", input);
    return new SavedModel(m.architecture(), m.text(), m.vocabulary(), m.params(),
        new SavedModel.Lineage(m.position(), training, provenance));
  }

  private static void deleteQuietly(FileSystem fs, Path dir) {
    if (fs == null || dir == null) {
      return;
    }
    try {
      fs.delete(dir, true);
    } catch (IOException e) {
      LOG.warn("could not delete the temporary model directory {}: {}", dir, e.getMessage());
    }
  }

  private Param<String> stringParam(String name, String doc, String defaultValue) {
    Param<String> p = new Param<>(this, name, doc);
    setDefault(p, defaultValue);
    return p;
  }

  private Param<String> optionParam(String name, String option, String doc, String defaultValue) {
    Param<String> p = stringParam(name, doc + " (train --" + option + ")", defaultValue);
    optionOfParam.put(p, option);
    return p;
  }

  private IntParam intParam(String name, String option, String doc, int defaultValue) {
    IntParam p = new IntParam(this, name, doc + " (train --" + option + ")");
    setDefault(p, defaultValue);
    optionOfParam.put(p, option);
    return p;
  }

  private LongParam longParam(String name, String option, String doc, long defaultValue) {
    LongParam p = new LongParam(this, name, doc + " (train --" + option + ")");
    setDefault(p, defaultValue);
    optionOfParam.put(p, option);
    return p;
  }

  private DoubleParam doubleParam(String name, String option, String doc, double defaultValue) {
    DoubleParam p = new DoubleParam(this, name, doc + " (train --" + option + ")");
    setDefault(p, defaultValue);
    optionOfParam.put(p, option);
    return p;
  }

  // Params, getters and setters, in the order of train's options. Spark finds the params by
  // their public no-argument accessors.

  public Param<String> inputCol() { return inputCol; }
  public String getInputCol() { return $(inputCol); }
  public RnnLM setInputCol(String value) { return (RnnLM) set(inputCol, value); }

  public Param<String> cell() { return cell; }
  public String getCell() { return $(cell); }
  public RnnLM setCell(String value) { return (RnnLM) set(cell, value); }

  public IntParam layers() { return layers; }
  public int getLayers() { return (Integer) $(layers); }
  public RnnLM setLayers(int value) { return (RnnLM) set(layers, value); }

  public DoubleParam dropout() { return dropout; }
  public double getDropout() { return (Double) $(dropout); }
  public RnnLM setDropout(double value) { return (RnnLM) set(dropout, value); }

  public IntParam embedding() { return embedding; }
  public int getEmbedding() { return (Integer) $(embedding); }
  public RnnLM setEmbedding(int value) { return (RnnLM) set(embedding, value); }

  public BooleanParam tieWeights() { return tieWeights; }
  public boolean getTieWeights() { return (Boolean) $(tieWeights); }
  public RnnLM setTieWeights(boolean value) { return (RnnLM) set(tieWeights, value); }

  public Param<String> softmax() { return softmax; }
  public String getSoftmax() { return $(softmax); }
  public RnnLM setSoftmax(String value) { return (RnnLM) set(softmax, value); }

  public Param<String> cutoffs() { return cutoffs; }
  public String getCutoffs() { return $(cutoffs); }
  /** The adaptive softmax's cutoffs, e.g. {@code setCutoffs("2000,10000")}. */
  public RnnLM setCutoffs(String value) { return (RnnLM) set(cutoffs, value); }

  public Param<String> optimizer() { return optimizer; }
  public String getOptimizer() { return $(optimizer); }
  public RnnLM setOptimizer(String value) { return (RnnLM) set(optimizer, value); }

  public IntParam epochs() { return epochs; }
  public int getEpochs() { return (Integer) $(epochs); }
  public RnnLM setEpochs(int value) { return (RnnLM) set(epochs, value); }

  public IntParam hidden() { return hidden; }
  public int getHidden() { return (Integer) $(hidden); }
  public RnnLM setHidden(int value) { return (RnnLM) set(hidden, value); }

  public IntParam batchSize() { return batchSize; }
  public int getBatchSize() { return (Integer) $(batchSize); }
  public RnnLM setBatchSize(int value) { return (RnnLM) set(batchSize, value); }

  public IntParam steps() { return steps; }
  public int getSteps() { return (Integer) $(steps); }
  public RnnLM setSteps(int value) { return (RnnLM) set(steps, value); }

  public DoubleParam lr() { return lr; }
  public double getLr() { return (Double) $(lr); }
  public RnnLM setLr(double value) { return (RnnLM) set(lr, value); }

  public DoubleParam clip() { return clip; }
  public double getClip() { return (Double) $(clip); }
  public RnnLM setClip(double value) { return (RnnLM) set(clip, value); }

  public Param<String> sampling() { return sampling; }
  public String getSampling() { return $(sampling); }
  public RnnLM setSampling(String value) { return (RnnLM) set(sampling, value); }

  public Param<String> tokens() { return tokens; }
  public String getTokens() { return $(tokens); }
  public RnnLM setTokens(String value) { return (RnnLM) set(tokens, value); }

  public Param<String> normalize() { return normalize; }
  public String getNormalize() { return $(normalize); }
  public RnnLM setNormalize(String value) { return (RnnLM) set(normalize, value); }

  public LongParam minFreq() { return minFreq; }
  public long getMinFreq() { return (Long) $(minFreq); }
  public RnnLM setMinFreq(long value) { return (RnnLM) set(minFreq, value); }

  public LongParam maxTokens() { return maxTokens; }
  public long getMaxTokens() { return (Long) $(maxTokens); }
  public RnnLM setMaxTokens(long value) { return (RnnLM) set(maxTokens, value); }

  public IntParam vocabSize() { return vocabSize; }
  public int getVocabSize() { return (Integer) $(vocabSize); }
  public RnnLM setVocabSize(int value) { return (RnnLM) set(vocabSize, value); }
  public Param<String> tokenizer() { return tokenizer; }
  public String getTokenizer() { return $(tokenizer); }
  public RnnLM setTokenizer(String value) { return (RnnLM) set(tokenizer, value); }
  public IntParam maxVocab() { return maxVocab; }
  public int getMaxVocab() { return (Integer) $(maxVocab); }
  public RnnLM setMaxVocab(int value) { return (RnnLM) set(maxVocab, value); }

  public IntParam partitions() { return partitions; }
  public int getPartitions() { return (Integer) $(partitions); }
  public RnnLM setPartitions(int value) { return (RnnLM) set(partitions, value); }

  public LongParam seed() { return seed; }
  public long getSeed() { return (Long) $(seed); }
  public RnnLM setSeed(long value) { return (RnnLM) set(seed, value); }

  public DoubleParam validationFraction() { return validationFraction; }
  public double getValidationFraction() { return (Double) $(validationFraction); }
  public RnnLM setValidationFraction(double value) { return (RnnLM) set(validationFraction, value); }

  public IntParam validationStreams() { return validationStreams; }
  public int getValidationStreams() { return (Integer) $(validationStreams); }
  public RnnLM setValidationStreams(int value) { return (RnnLM) set(validationStreams, value); }

  public BooleanParam skipMemoryCheck() { return skipMemoryCheck; }
  public boolean getSkipMemoryCheck() { return (Boolean) $(skipMemoryCheck); }
  public RnnLM setSkipMemoryCheck(boolean value) { return (RnnLM) set(skipMemoryCheck, value); }

  public Param<String> stagingDir() { return stagingDir; }
  public String getStagingDir() { return $(stagingDir); }
  public RnnLM setStagingDir(String value) { return (RnnLM) set(stagingDir, value); }

  public BooleanParam verbose() { return verbose; }
  public boolean getVerbose() { return (Boolean) $(verbose); }
  public RnnLM setVerbose(boolean value) { return (RnnLM) set(verbose, value); }

  public Param<String> perplexityCol() { return perplexityCol; }
  public String getPerplexityCol() { return $(perplexityCol); }
  public RnnLM setPerplexityCol(String value) { return (RnnLM) set(perplexityCol, value); }

  public Param<String> logLikelihoodCol() { return logLikelihoodCol; }
  public String getLogLikelihoodCol() { return $(logLikelihoodCol); }
  public RnnLM setLogLikelihoodCol(String value) { return (RnnLM) set(logLikelihoodCol, value); }

  public Param<String> tokensCol() { return tokensCol; }
  public String getTokensCol() { return $(tokensCol); }
  public RnnLM setTokensCol(String value) { return (RnnLM) set(tokensCol, value); }
}
