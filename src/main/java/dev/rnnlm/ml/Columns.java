package dev.rnnlm.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Checks of the columns a stage reads, and the columns {@link RnnLMModel} adds. */
final class Columns {
  /** Default names and docs of the score columns (estimator and model share them). */
  static final String PERPLEXITY = "perplexity";
  static final String PERPLEXITY_DOC = "output column: the row's perplexity (null when it has"
      + " fewer than two tokens); empty = none";
  static final String LOG_LIKELIHOOD = "log_likelihood";
  static final String LOG_LIKELIHOOD_DOC = "output column: the row's log-likelihood in nats,"
      + " summed over its predicted tokens; empty = none";
  static final String TOKENS = "tokens";
  static final String TOKENS_DOC = "output column: how many tokens of the row are predicted"
      + " (all but the first); empty = none";

  private Columns() {}

  /**
   * Fails unless {@code column} is a string column of {@code schema}, naming the param, the
   * value and what is wrong.
   */
  static void requireString(StructType schema, String param, String column) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(param + " '" + column + "' is not a column of the dataset"
          + " (columns: " + String.join(", ", schema.fieldNames()) + ")");
    }
    DataType type = schema.apply(column).dataType();
    if (!type.equals(DataTypes.StringType)) {
      throw new IllegalArgumentException(param + " '" + column + "' must be a string column, got "
          + type.simpleString());
    }
  }

  /**
   * The schema with the columns a model adds: the score columns (each left out when its name is
   * empty) and, when {@code generatedCol} is not null, the generated text.
   */
  static StructType withOutputs(StructType schema, String perplexityCol, String logLikelihoodCol,
                                String tokensCol, String generatedCol) {
    List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
    add(fields, schema, "perplexityCol", perplexityCol, DataTypes.DoubleType);
    add(fields, schema, "logLikelihoodCol", logLikelihoodCol, DataTypes.DoubleType);
    add(fields, schema, "tokensCol", tokensCol, DataTypes.LongType);
    if (generatedCol != null) {
      add(fields, schema, "generatedCol", generatedCol, DataTypes.StringType);
    }
    return DataTypes.createStructType(fields);
  }

  private static void add(List<StructField> fields, StructType schema, String param, String column,
                          DataType type) {
    if (column.isEmpty()) {
      return;
    }
    if (Arrays.asList(schema.fieldNames()).contains(column)
        || fields.stream().anyMatch(f -> f.name().equals(column))) {
      throw new IllegalArgumentException(param + " '" + column + "' already is a column of the dataset"
          + " (columns: " + String.join(", ", fields.stream().map(StructField::name).toList()) + ")");
    }
    fields.add(DataTypes.createStructField(column, type, true));
  }
}
