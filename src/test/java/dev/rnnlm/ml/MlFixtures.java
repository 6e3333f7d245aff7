package dev.rnnlm.ml;

import dev.rnnlm.testutil.SparkTestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The shared Spark session and a small corpus as lines, as a file and as DataFrames. */
final class MlFixtures {
  private MlFixtures() {}

  static SparkSession spark() {
    JavaSparkContext sc = SparkTestContext.get();
    return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
  }

  /** The first {@code count} lines of a sample-data file: a few thousand characters. */
  static List<String> sampleLines(int count) throws IOException {
    return Files.readAllLines(SparkTestContext.sampleData().resolve("clockmaker.txt")).subList(0, count);
  }

  /** The rows as one string column {@code column}, in order, in {@code partitions} partitions. */
  static Dataset<Row> rows(List<String> lines, String column, int partitions) {
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField(column, DataTypes.StringType, true)));
    return spark().createDataFrame(SparkTestContext.get()
        .parallelize(lines.stream().map(l -> RowFactory.create(l)).toList(), partitions), schema);
  }

  /** A file holding the lines, each followed by a line break. */
  static Path linesFile(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }
}
