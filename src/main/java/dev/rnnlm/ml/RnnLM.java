package dev.rnnlm.ml;

import dev.rnnlm.data.CorpusSource;
import dev.rnnlm.data.InputException;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.LanguageModels;
import dev.rnnlm.optim.Optimizers;
import dev.rnnlm.train.EpochMetrics;
import dev.rnnlm.train.TrainOption;
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
 * <p>The training params are {@code train}'s options, made from their declarations in {@link
 * TrainOptions}: the option's name in camel case unless it declares another ({@code batchSize}
 * is {@code --batch}), its help as the doc (with the option it mirrors), its default. They are
 * checked by {@code train}'s own validation, when {@code fit} (or a pipeline's schema check)
 * runs, with its messages naming the params: "hidden must be > 0, got -3", "minFreq must be >= 0,
 * got -1".
 *
 * <p>{@code fit} hands the rows to the trainer as they are, with no file in between; unless the
 * dataset is persisted, it caches them (MEMORY_AND_DISK) while the trainer reads them, which takes
 * two or three passes, and releases them when training starts. The trainer writes its model
 * into a temporary directory on the driver's local disk, deleted when {@code fit} returns; the
 * model's summary holds the per-epoch metrics a {@link TrainingListener} received, the lines of
 * the directory's {@code metrics.jsonl}. {@code stagingDir} is not used (kept so that
 * estimators saved with it still load). What the trainer reports goes to this class's logger at
 * INFO, or with {@code verbose} to standard output as on the command line.
 */
public final class RnnLM extends Estimator<RnnLMModel> implements DefaultParamsWritable {
  private static final Logger LOG = LoggerFactory.getLogger(RnnLM.class);

  private final String uid;
  private final Param<String> inputCol;
  /** The training params, one per option of the table that is a param, in {@code train}'s order. */
  private final Map<TrainOption<?>, Param<?>> trainParams = new LinkedHashMap<>();
  private final Param<String> stagingDir;
  private final BooleanParam verbose;
  private final Param<String> perplexityCol;
  private final Param<String> logLikelihoodCol;
  private final Param<String> tokensCol;

  public RnnLM() {
    this(Identifiable.randomUID("rnnlm"));
  }

  /** With a given uid: how Spark's ML reader re-creates a saved estimator. */
  public RnnLM(String uid) {
    this.uid = uid;
    inputCol = stringParam("inputCol", "string column whose rows are the corpus's lines", "text");
    for (TrainOption<?> o : TrainOptions.ALL) {
      if (o.isParam()) {
        trainParams.put(o, trainParam(o));
      }
    }
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

  /**
   * The param of option {@code o}, all from its declaration: its name, its doc (the option's
   * help, and the option), its default; numbers and flags typed (a float option is a double
   * param), other options their text as on the command line.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Param<?> trainParam(TrainOption<?> o) {
    String doc = o.help() + " (train " + o.flag() + ")";
    String text = o.defaultText();
    Param p = switch (o.kind()) {
      case INT -> new IntParam(this, o.paramName(), doc);
      case LONG -> new LongParam(this, o.paramName(), doc);
      case FLOAT, DOUBLE -> new DoubleParam(this, o.paramName(), doc);
      case BOOLEAN -> new BooleanParam(this, o.paramName(), doc);
      case TEXT -> new Param<String>(this, o.paramName(), doc);
    };
    Object defaultValue = switch (o.kind()) {
      case INT -> Integer.parseInt(text);
      case LONG -> Long.parseLong(text);
      case FLOAT, DOUBLE -> Double.parseDouble(text);
      case BOOLEAN -> Boolean.parseBoolean(text);
      case TEXT -> text;
    };
    setDefault(p, defaultValue);
    return p;
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
    requireOneOf(TrainOptions.CELL, getCell(), LanguageModels.CELL_TYPES);
    if (getLayers() < 1) {
      throw new IllegalArgumentException(TrainOptions.LAYERS.paramName() + " must be >= 1, got " + getLayers());
    }
    requireOneOf(TrainOptions.OPTIMIZER, getOptimizer(), Optimizers.NAMES);
    Map<String, String> options = new LinkedHashMap<>();
    options.put(TrainOptions.INPUT.name(), input);
    options.put(TrainOptions.MODEL_DIR.name(), modelDir);
    trainParams.forEach((option, param) -> options.put(option.name(), String.valueOf(getOrDefault(param))));
    // The model directory of a fit is temporary: no checkpoint could be resumed.
    options.put(TrainOptions.CHECKPOINT_EVERY.name(), "0");
    options.put(TrainOptions.CHECKPOINT_EVERY_MINUTES.name(), "0");
    try {
      return TrainOptions.fromMap(options);
    } catch (IllegalArgumentException e) {
      throw OptionMessages.inParamNames(e, paramOfOption(), Map.of());
    }
  }

  /** The param name of each option that is one, by option name. */
  private Map<String, String> paramOfOption() {
    Map<String, String> names = new LinkedHashMap<>();
    trainParams.forEach((option, param) -> names.put(option.name(), param.name()));
    return names;
  }

  private static void requireOneOf(TrainOption<String> option, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw new IllegalArgumentException(option.paramName() + " must be one of " + allowed + ", got " + value);
    }
  }

  /** The param of {@code option}. */
  private Param<?> param(TrainOption<?> option) {
    return trainParams.get(option);
  }

  /** The param of {@code option}, whose values are the option's text. */
  @SuppressWarnings("unchecked")
  private Param<String> textParam(TrainOption<?> option) {
    return (Param<String>) trainParams.get(option);
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

  // Params, getters and setters, in the order of train's options. Spark finds the params by
  // their public no-argument accessors; the training params are the option table's.

  public Param<String> inputCol() { return inputCol; }
  public String getInputCol() { return $(inputCol); }
  public RnnLM setInputCol(String value) { return (RnnLM) set(inputCol, value); }

  public Param<String> cell() { return textParam(TrainOptions.CELL); }
  public String getCell() { return $(cell()); }
  public RnnLM setCell(String value) { return (RnnLM) set(cell(), value); }

  public IntParam layers() { return (IntParam) param(TrainOptions.LAYERS); }
  public int getLayers() { return (Integer) $(layers()); }
  public RnnLM setLayers(int value) { return (RnnLM) set(layers(), value); }

  public DoubleParam dropout() { return (DoubleParam) param(TrainOptions.DROPOUT); }
  public double getDropout() { return (Double) $(dropout()); }
  public RnnLM setDropout(double value) { return (RnnLM) set(dropout(), value); }

  public IntParam embedding() { return (IntParam) param(TrainOptions.EMBEDDING); }
  public int getEmbedding() { return (Integer) $(embedding()); }
  public RnnLM setEmbedding(int value) { return (RnnLM) set(embedding(), value); }

  public BooleanParam tieWeights() { return (BooleanParam) param(TrainOptions.TIE_WEIGHTS); }
  public boolean getTieWeights() { return (Boolean) $(tieWeights()); }
  public RnnLM setTieWeights(boolean value) { return (RnnLM) set(tieWeights(), value); }

  public Param<String> softmax() { return textParam(TrainOptions.SOFTMAX); }
  public String getSoftmax() { return $(softmax()); }
  public RnnLM setSoftmax(String value) { return (RnnLM) set(softmax(), value); }

  public Param<String> cutoffs() { return textParam(TrainOptions.CUTOFFS); }
  public String getCutoffs() { return $(cutoffs()); }
  /** The adaptive softmax's cutoffs, e.g. {@code setCutoffs("2000,10000")}. */
  public RnnLM setCutoffs(String value) { return (RnnLM) set(cutoffs(), value); }

  public Param<String> optimizer() { return textParam(TrainOptions.OPTIMIZER); }
  public String getOptimizer() { return $(optimizer()); }
  public RnnLM setOptimizer(String value) { return (RnnLM) set(optimizer(), value); }

  public IntParam epochs() { return (IntParam) param(TrainOptions.EPOCHS); }
  public int getEpochs() { return (Integer) $(epochs()); }
  public RnnLM setEpochs(int value) { return (RnnLM) set(epochs(), value); }

  public IntParam hidden() { return (IntParam) param(TrainOptions.HIDDEN); }
  public int getHidden() { return (Integer) $(hidden()); }
  public RnnLM setHidden(int value) { return (RnnLM) set(hidden(), value); }

  public IntParam batchSize() { return (IntParam) param(TrainOptions.BATCH); }
  public int getBatchSize() { return (Integer) $(batchSize()); }
  public RnnLM setBatchSize(int value) { return (RnnLM) set(batchSize(), value); }

  public IntParam steps() { return (IntParam) param(TrainOptions.STEPS); }
  public int getSteps() { return (Integer) $(steps()); }
  public RnnLM setSteps(int value) { return (RnnLM) set(steps(), value); }

  public DoubleParam lr() { return (DoubleParam) param(TrainOptions.LR); }
  public double getLr() { return (Double) $(lr()); }
  public RnnLM setLr(double value) { return (RnnLM) set(lr(), value); }

  public DoubleParam clip() { return (DoubleParam) param(TrainOptions.CLIP); }
  public double getClip() { return (Double) $(clip()); }
  public RnnLM setClip(double value) { return (RnnLM) set(clip(), value); }

  public Param<String> sampling() { return textParam(TrainOptions.SAMPLING); }
  public String getSampling() { return $(sampling()); }
  public RnnLM setSampling(String value) { return (RnnLM) set(sampling(), value); }

  public Param<String> tokens() { return textParam(TrainOptions.TOKENS); }
  public String getTokens() { return $(tokens()); }
  public RnnLM setTokens(String value) { return (RnnLM) set(tokens(), value); }

  public Param<String> normalize() { return textParam(TrainOptions.NORMALIZE); }
  public String getNormalize() { return $(normalize()); }
  public RnnLM setNormalize(String value) { return (RnnLM) set(normalize(), value); }

  public LongParam minFreq() { return (LongParam) param(TrainOptions.MIN_FREQ); }
  public long getMinFreq() { return (Long) $(minFreq()); }
  public RnnLM setMinFreq(long value) { return (RnnLM) set(minFreq(), value); }

  public LongParam maxTokens() { return (LongParam) param(TrainOptions.MAX_TOKENS); }
  public long getMaxTokens() { return (Long) $(maxTokens()); }
  public RnnLM setMaxTokens(long value) { return (RnnLM) set(maxTokens(), value); }

  public IntParam vocabSize() { return (IntParam) param(TrainOptions.VOCAB_SIZE); }
  public int getVocabSize() { return (Integer) $(vocabSize()); }
  public RnnLM setVocabSize(int value) { return (RnnLM) set(vocabSize(), value); }
  public Param<String> tokenizer() { return textParam(TrainOptions.TOKENIZER); }
  public String getTokenizer() { return $(tokenizer()); }
  public RnnLM setTokenizer(String value) { return (RnnLM) set(tokenizer(), value); }
  public IntParam maxVocab() { return (IntParam) param(TrainOptions.MAX_VOCAB); }
  public int getMaxVocab() { return (Integer) $(maxVocab()); }
  public RnnLM setMaxVocab(int value) { return (RnnLM) set(maxVocab(), value); }

  public IntParam partitions() { return (IntParam) param(TrainOptions.PARTITIONS); }
  public int getPartitions() { return (Integer) $(partitions()); }
  public RnnLM setPartitions(int value) { return (RnnLM) set(partitions(), value); }

  public LongParam seed() { return (LongParam) param(TrainOptions.SEED); }
  public long getSeed() { return (Long) $(seed()); }
  public RnnLM setSeed(long value) { return (RnnLM) set(seed(), value); }

  public DoubleParam validationFraction() { return (DoubleParam) param(TrainOptions.VAL_FRACTION); }
  public double getValidationFraction() { return (Double) $(validationFraction()); }
  public RnnLM setValidationFraction(double value) { return (RnnLM) set(validationFraction(), value); }

  public IntParam validationStreams() { return (IntParam) param(TrainOptions.VAL_STREAMS); }
  public int getValidationStreams() { return (Integer) $(validationStreams()); }
  public RnnLM setValidationStreams(int value) { return (RnnLM) set(validationStreams(), value); }

  public BooleanParam skipMemoryCheck() { return (BooleanParam) param(TrainOptions.SKIP_MEMORY_CHECK); }
  public boolean getSkipMemoryCheck() { return (Boolean) $(skipMemoryCheck()); }
  public RnnLM setSkipMemoryCheck(boolean value) { return (RnnLM) set(skipMemoryCheck(), value); }

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
