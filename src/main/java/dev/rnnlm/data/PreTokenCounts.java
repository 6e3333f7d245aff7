package dev.rnnlm.data;

import dev.rnnlm.text.ByteLevel;
import dev.rnnlm.text.Normalizer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * What a byte-level BPE is learned from: how often each pre-token (GPT-2's split on spaces and
 * punctuation, {@link ByteLevel#preTokenize}) occurs in a corpus. Counted on the partitions,
 * added up by Spark, and handed to the driver sorted by pre-token, so the result depends on the
 * text only, not on the partition count or the order tasks finish in.
 */
public final class PreTokenCounts {
  private PreTokenCounts() {}

  /**
   * Counts the pre-tokens of {@code source}'s text as training encodes it: each line normalized
   * and followed by its line break (when the normalizer keeps them), long lines in pieces.
   *
   * @throws InputException when a path is missing or the text is empty
   */
  public static SortedMap<String, Long> count(JavaSparkContext sc, CorpusSource source, Normalizer normalizer)
      throws IOException {
    return count(sc, source, normalizer, sc.defaultMinPartitions());
  }

  /**
   * As {@link #count(JavaSparkContext, CorpusSource, Normalizer)}, reading files in at least
   * {@code minPartitions} partitions.
   */
  public static SortedMap<String, Long> count(JavaSparkContext sc, CorpusSource source, Normalizer normalizer,
                                              int minPartitions) throws IOException {
    Map<String, Long> counted = source.pieces(sc, minPartitions).text()
        .mapPartitionsToPair(pieces -> {
          Map<String, Long> local = new HashMap<>();
          while (pieces.hasNext()) {
            EncodedCorpus.TextPiece p = pieces.next();
            String text = normalizer.apply(p.text(), p.startsLine(), p.endsLine());
            boolean lineBreak = p.endsLine() && normalizer.keepsLineBreaks();
            ByteLevel.preTokenize(lineBreak ? text + "\n" : text, t -> local.merge(t, 1L, Long::sum));
          }
          return local.entrySet().stream().map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator();
        })
        .reduceByKey(Long::sum)
        .collectAsMap();
    if (counted.isEmpty()) {
      throw new InputException("no text to learn a BPE from in " + source.name());
    }
    return new TreeMap<>(counted);
  }
}
