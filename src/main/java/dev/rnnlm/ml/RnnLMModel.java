package dev.rnnlm.ml;

import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SavedModel;
import dev.rnnlm.model.SamplingSettings;
import dev.rnnlm.train.OptionValues;
import dev.rnnlm.train.TrainSettings;
import dev.rnnlm.values.InvalidValueException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A trained RNN language model as a Spark ML transformer. {@link #transform} adds to each row
 * its score under the model (columns {@code perplexity}, {@code log_likelihood},
 * {@code tokens}; see {@link RowTransformer}) and, when {@code prefixCol} is set, a
 * continuation of that column's text ({@code generated}): the text {@code rnnlm generate
 * --prefix ROW} prints with the same {@code length}, {@code temperature}, {@code topK},
 * {@code topP}, {@code stopAt} and {@code --seed generationSeed}. Every row is generated with
 * the same seed.
 *
 * <p>Saved with {@code write().save(PATH)}: Spark ML's metadata in {@code PATH/metadata}, and
 * PATH itself is a model directory of this project (model.json, vocab.json, parameters.bin,
 * metrics.jsonl, training.png), so {@code rnnlm generate/evaluate/inspect --model PATH} read it.
 * In a saved pipeline the model is the stage directory {@code PATH/stages/N_<uid>}.
 */
public final class RnnLMModel extends Model<RnnLMModel> implements MLWritable {
  /** {@code rnnlm generate}'s default {@code --length}. */
  private static final int DEFAULT_LENGTH = 100;

  private final String uid;
  private final SavedModel saved;
  private final List<Map<String, Number>> metrics;
  private final Param<String> inputCol;
  private final Param<String> perplexityCol;
  private final Param<String> logLikelihoodCol;
  private final Param<String> tokensCol;
  private final Param<String> prefixCol;
  private final Param<String> generatedCol;
  private final IntParam length;
  private final DoubleParam temperature;
  private final IntParam topK;
  private final DoubleParam topP;
  private final LongParam generationSeed;
  private final Param<String> stopAt;
  /** The model's parameters on the executors; made by the first transform. */
  private transient Broadcast<SavedModel> broadcast;

  RnnLMModel(String uid, SavedModel saved, List<Map<String, Number>> metrics) {
    this.uid = uid;
    this.saved = saved;
    this.metrics = List.copyOf(metrics);
    inputCol = stringParam("inputCol", "string column scored", "text");
    perplexityCol = stringParam("perplexityCol", Columns.PERPLEXITY_DOC, Columns.PERPLEXITY);
    logLikelihoodCol = stringParam("logLikelihoodCol", Columns.LOG_LIKELIHOOD_DOC,
        Columns.LOG_LIKELIHOOD);
    tokensCol = stringParam("tokensCol", Columns.TOKENS_DOC, Columns.TOKENS);
    prefixCol = stringParam("prefixCol",
        "string column whose text is continued (generate --prefix); empty = no generation", "");
    generatedCol = stringParam("generatedCol",
        "output column: the prefix as the model reads it, then the generated text", "generated");
    length = new IntParam(this, "length", "tokens to generate, at most (generate --length)");
    setDefault(length, DEFAULT_LENGTH);
    temperature = new DoubleParam(this, "temperature", "sample at this temperature; unset (and"
        + " topK, topP unset): greedy, the most likely token (generate --temperature)");
    topK = new IntParam(this, "topK",
        "sample only among the K most likely tokens (generate --top-k)");
    topP = new DoubleParam(this, "topP", "sample only among the smallest set of most likely"
        + " tokens whose probability sums to >= P, in (0, 1] (generate --top-p)");
    generationSeed = new LongParam(this, "generationSeed", "seed for sampling (generate --seed)");
    setDefault(generationSeed, 0L);
    stopAt = new Param<>(this, "stopAt",
        "end the generated text right after the first occurrence of this (generate --stop-at)");
  }

  /** Reads a model saved with {@code write().save(path)}; Pipeline loading calls it too. */
  public static MLReader<RnnLMModel> read() {
    return new Reader();
  }

  public static RnnLMModel load(String path) {
    return read().load(path);
  }

  /**
   * A model directory written by {@code rnnlm train} or {@code retrain} (or a registry's
   * version), read through {@code spark}'s Hadoop configuration, as a transformer with default
   * params: how a scheduled batch job scores with a model trained on the command line, which
   * has no Spark ML metadata for {@link #load}.
   */
  public static RnnLMModel fromModelDirectory(SparkSession spark, String dir) {
    ModelStore store = new ModelStore(spark.sparkContext().hadoopConfiguration());
    try {
      return new RnnLMModel(Identifiable.randomUID("rnnlm"),
          store.load(dir), store.readMetrics(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The trained model this wraps (parameters, vocabulary, text pipeline). */
  SavedModel savedModel() {
    return saved;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public RnnLMModel copy(ParamMap extra) {
    RnnLMModel copy = copyValues(new RnnLMModel(uid, saved, metrics), extra);
    return copy.setParent(parent());
  }

  /** Per-epoch metrics of the training run (also after save and load). */
  public RnnLMSummary summary() {
    return new RnnLMSummary(metrics);
  }

  /** The training options, by {@code train}'s option names, as stored in model.json. */
  public Map<String, String> trainingOptions() {
    return Collections.unmodifiableMap(saved.training());
  }

  /** Token ids, {@code <unk>} included. */
  public int vocabularySize() {
    return saved.vocabulary().size();
  }

  /**
   * Checks the generation params (with the messages of {@code rnnlm generate}, in param names)
   * and the columns read; the schema with the columns added.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    boolean scoring = !($(perplexityCol).isEmpty() && $(logLikelihoodCol).isEmpty()
        && $(tokensCol).isEmpty());
    if (scoring) {
      Columns.requireString(schema, "inputCol", $(inputCol));
    }
    boolean generating = !$(prefixCol).isEmpty();
    if (generating) {
      Columns.requireString(schema, "prefixCol", $(prefixCol));
      samplingSettings();
      stopString();
      if (getLength() < 0) {
        throw new IllegalArgumentException("length must be >= 0, got " + getLength());
      }
    }
    return Columns.withOutputs(schema, $(perplexityCol), $(logLikelihoodCol), $(tokensCol),
        generating ? $(generatedCol) : null);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    StructType in = dataset.schema();
    boolean[] scores = {!$(perplexityCol).isEmpty(), !$(logLikelihoodCol).isEmpty(),
        !$(tokensCol).isEmpty()};
    boolean scoring = scores[0] || scores[1] || scores[2];
    boolean generating = !$(prefixCol).isEmpty();
    RowTransformer rows = new RowTransformer(broadcast(dataset),
        OptionValues.intValue(saved.training(), "steps", TrainSettings.DEFAULTS.steps()),
        scoring ? in.fieldIndex($(inputCol)) : -1, scores,
        generating ? in.fieldIndex($(prefixCol)) : -1, getLength(),
        generating ? samplingSettings() : null, generating ? stopString() : null);
    return dataset.toDF().mapPartitions(rows, Encoders.row(out));
  }

  private synchronized Broadcast<SavedModel> broadcast(Dataset<?> dataset) {
    if (broadcast == null) {
      broadcast = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext())
          .broadcast(saved);
    }
    return broadcast;
  }

  /**
   * As {@code rnnlm generate} builds them from its options: an unset param is an option not
   * given. Numbers go through their decimal text, as typed on the command line.
   */
  private SamplingSettings samplingSettings() {
    try {
      return SamplingSettings.fromOptions(
          isDefined(temperature) ? Float.parseFloat(Double.toString((Double) $(temperature))) : null,
          isDefined(topK) ? Long.valueOf((Integer) $(topK)) : null,
          isDefined(topP) ? (Double) $(topP) : null,
          getGenerationSeed());
    } catch (InvalidValueException e) {
      // SamplingSettings names its values as these params are named.
      Map<String, String> params = Map.of("temperature", temperature.name(), "topK", topK.name(),
          "topP", topP.name());
      IllegalArgumentException named = new IllegalArgumentException(e.message(params::get));
      named.initCause(e);
      throw named;
    }
  }

  private String stopString() {
    if (!isDefined(stopAt)) {
      return null;
    }
    if ($(stopAt).isEmpty()) {
      throw new IllegalArgumentException("stopAt must not be empty");
    }
    return $(stopAt);
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /**
   * Spark ML's metadata (params, uid, class) through Spark's own helper, so that Pipeline
   * reads it as any stage's; then the model directory in the same path.
   * ({@code DefaultParamsWriter} is {@code private[ml]} in Scala, public to Java: the helper
   * every Spark model's writer uses.)
   */
  private static final class Writer extends MLWriter {
    private final RnnLMModel model;

    Writer(RnnLMModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      ModelStore store = new ModelStore(sc().hadoopConfiguration());
      try {
        store.save(path, model.saved);
        if (!model.metrics.isEmpty()) {
          store.writeMetrics(path, model.metrics);
          RnnLMSummary summary = model.summary();
          List<Integer> epochs = new ArrayList<>();
          summary.epochs().forEach(e -> epochs.add(e.epoch()));
          store.writePlot(path, epochs, boxed(summary.perplexityHistory()),
              boxed(summary.validationPerplexityHistory()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static List<Double> boxed(double[] values) {
      return java.util.Arrays.stream(values).boxed().toList();
    }
  }

  /** Reads what {@link Writer} wrote: the metadata's uid and params, the model directory. */
  private static final class Reader extends MLReader<RnnLMModel> {
    @Override
    public RnnLMModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(),
          RnnLMModel.class.getName());
      Configuration conf = sc().hadoopConfiguration();
      ModelStore store = new ModelStore(conf);
      RnnLMModel model;
      try {
        model = new RnnLMModel(metadata.uid(), store.load(path), store.readMetrics(path));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }

  private Param<String> stringParam(String name, String doc, String defaultValue) {
    Param<String> p = new Param<>(this, name, doc);
    setDefault(p, defaultValue);
    return p;
  }

  // Params, getters and setters. Spark finds the params by their public no-argument accessors.

  public Param<String> inputCol() { return inputCol; }
  public String getInputCol() { return $(inputCol); }
  public RnnLMModel setInputCol(String value) { return (RnnLMModel) set(inputCol, value); }

  public Param<String> perplexityCol() { return perplexityCol; }
  public String getPerplexityCol() { return $(perplexityCol); }
  public RnnLMModel setPerplexityCol(String value) { return (RnnLMModel) set(perplexityCol, value); }

  public Param<String> logLikelihoodCol() { return logLikelihoodCol; }
  public String getLogLikelihoodCol() { return $(logLikelihoodCol); }
  public RnnLMModel setLogLikelihoodCol(String value) { return (RnnLMModel) set(logLikelihoodCol, value); }

  public Param<String> tokensCol() { return tokensCol; }
  public String getTokensCol() { return $(tokensCol); }
  public RnnLMModel setTokensCol(String value) { return (RnnLMModel) set(tokensCol, value); }

  public Param<String> prefixCol() { return prefixCol; }
  public String getPrefixCol() { return $(prefixCol); }
  public RnnLMModel setPrefixCol(String value) { return (RnnLMModel) set(prefixCol, value); }

  public Param<String> generatedCol() { return generatedCol; }
  public String getGeneratedCol() { return $(generatedCol); }
  public RnnLMModel setGeneratedCol(String value) { return (RnnLMModel) set(generatedCol, value); }

  public IntParam length() { return length; }
  public int getLength() { return (Integer) $(length); }
  public RnnLMModel setLength(int value) { return (RnnLMModel) set(length, value); }

  public DoubleParam temperature() { return temperature; }
  public double getTemperature() { return (Double) $(temperature); }
  public RnnLMModel setTemperature(double value) { return (RnnLMModel) set(temperature, value); }

  public IntParam topK() { return topK; }
  public int getTopK() { return (Integer) $(topK); }
  public RnnLMModel setTopK(int value) { return (RnnLMModel) set(topK, value); }

  public DoubleParam topP() { return topP; }
  public double getTopP() { return (Double) $(topP); }
  public RnnLMModel setTopP(double value) { return (RnnLMModel) set(topP, value); }

  public LongParam generationSeed() { return generationSeed; }
  public long getGenerationSeed() { return (Long) $(generationSeed); }
  public RnnLMModel setGenerationSeed(long value) { return (RnnLMModel) set(generationSeed, value); }

  public Param<String> stopAt() { return stopAt; }
  public String getStopAt() { return $(stopAt); }
  public RnnLMModel setStopAt(String value) { return (RnnLMModel) set(stopAt, value); }
}
