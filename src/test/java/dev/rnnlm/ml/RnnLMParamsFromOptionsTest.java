package dev.rnnlm.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rnnlm.train.TrainOption;
import dev.rnnlm.train.TrainOptions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.param.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link RnnLM}'s training params are made from the option declarations: name, doc and default
 * come from {@link TrainOptions}, and the names a saved estimator holds stay what they were.
 */
class RnnLMParamsFromOptionsTest {
  @Test
  void everyTrainingParamHasItsOptionsNameHelpAndDefault() {
    RnnLM lm = new RnnLM();
    for (TrainOption<?> o : TrainOptions.ALL) {
      if (!o.isParam()) {
        continue;
      }
      Param<?> p = lm.getParam(o.paramName());
      assertTrue(p.doc().startsWith(o.help()) && p.doc().endsWith("(train " + o.flag() + ")"), p.doc());
      Object d = lm.getDefault(p).get();
      Object expected = switch (o.kind()) {
        case INT -> Integer.valueOf(o.defaultText());
        case LONG -> Long.valueOf(o.defaultText());
        case FLOAT, DOUBLE -> Double.valueOf(o.defaultText());
        case BOOLEAN -> Boolean.valueOf(o.defaultText());
        case TEXT -> o.defaultText();
      };
      assertEquals(expected, d, o.name());
    }
  }

  /** The names saved estimators and pipelines hold: the contract of write().save and load. */
  @Test
  void trainingParamNamesAreTheSavedOnes() {
    Map<String, String> paramOfOption = new TreeMap<>();
    TrainOptions.ALL.stream().filter(TrainOption::isParam)
        .forEach(o -> paramOfOption.put(o.name(), o.paramName()));
    assertEquals(new TreeMap<>(Map.ofEntries(Map.entry("cell", "cell"), Map.entry("layers", "layers"),
        Map.entry("dropout", "dropout"), Map.entry("embedding", "embedding"),
        Map.entry("tie-weights", "tieWeights"), Map.entry("softmax", "softmax"), Map.entry("cutoffs", "cutoffs"),
        Map.entry("optimizer", "optimizer"), Map.entry("epochs", "epochs"), Map.entry("hidden", "hidden"),
        Map.entry("batch", "batchSize"), Map.entry("steps", "steps"), Map.entry("lr", "lr"),
        Map.entry("clip", "clip"), Map.entry("sampling", "sampling"), Map.entry("tokens", "tokens"),
        Map.entry("vocab-size", "vocabSize"), Map.entry("tokenizer", "tokenizer"),
        Map.entry("normalize", "normalize"), Map.entry("min-freq", "minFreq"),
        Map.entry("max-tokens", "maxTokens"), Map.entry("max-vocab", "maxVocab"),
        Map.entry("partitions", "partitions"), Map.entry("seed", "seed"),
        Map.entry("val-fraction", "validationFraction"), Map.entry("val-streams", "validationStreams"),
        Map.entry("skip-memory-check", "skipMemoryCheck"))), paramOfOption);
    RnnLM lm = new RnnLM();
    for (String name : List.copyOf(paramOfOption.values())) {
      assertEquals(name, lm.getParam(name).name());
    }
  }
}
