package dev.rnnlm.ml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Rows per second of {@link RnnLMModel#transform} scoring: N rows of 10-50 words cut from a text
 * at seeded random places, in P partitions (cached before timing), scored into the perplexity
 * column and summed, so every row is scored once per round. Prints each round's rows/s, their
 * median, and the sum of the rows' log-likelihoods (to compare two builds' scores).
 *
 * <p>Run by {@code scripts/bench-transform.sh MODEL_DIR TEXT [ROWS] [ROUNDS]} after
 * {@code mvn package}.
 */
public final class TransformThroughput {
  private TransformThroughput() {}

  public static void main(String[] args) throws Exception {
    String model = args[0];
    Path text = Path.of(args[1]);
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int partitions = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    String[] words = Files.readString(text).trim().split("\\s+");
    Random random = new Random(1);
    List<String> lines = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      int length = 10 + random.nextInt(41);
      int start = random.nextInt(words.length - length);
      lines.add(String.join(" ", Arrays.copyOfRange(words, start, start + length)));
    }
    SparkSession spark = SparkSession.builder().master("local[" + partitions + "]")
        .appName("transform-throughput").config("spark.ui.enabled", "false").getOrCreate();
    try {
      Dataset<Row> df = spark.createDataset(lines, Encoders.STRING()).toDF("text")
          .repartition(partitions).cache();
      df.count();
      RnnLMModel scorer = RnnLMModel.fromModelDirectory(spark, model).setPrefixCol("")
          .setInputCol("text");
      double[] rates = new double[rounds];
      double logLikelihood = 0;
      for (int round = 0; round < rounds; round++) {
        long start = System.nanoTime();
        Row sum = scorer.transform(df).agg(functions.sum(scorer.getLogLikelihoodCol())).first();
        double seconds = (System.nanoTime() - start) / 1e9;
        logLikelihood = sum.getDouble(0);
        rates[round] = rows / seconds;
        System.out.printf(Locale.ROOT, "round %d: %,d rows in %.1f s (%,.0f rows/s)%n", round + 1,
            rows, seconds, rates[round]);
      }
      Arrays.sort(rates);
      System.out.printf(Locale.ROOT, "median %,.0f rows/s over %d rounds; %d partitions; sum of"
          + " log-likelihoods %.10e%n", rates[rounds / 2], rounds, partitions, logLikelihood);
    } finally {
      spark.stop();
    }
  }
}
