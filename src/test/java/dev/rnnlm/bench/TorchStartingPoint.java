package dev.rnnlm.bench;

import dev.rnnlm.data.Sampling;
import dev.rnnlm.data.WindowPlan;
import dev.rnnlm.io.ExportedTensor;
import dev.rnnlm.io.ModelStore;
import dev.rnnlm.io.SafetensorsWriter;
import dev.rnnlm.io.SavedModel;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.hadoop.conf.Configuration;

/**
 * Where a finished {@code train} run started, for the PyTorch reference to start there too: its
 * initial parameters (drawn again from its --seed) as a torch export, and the start offset of each
 * of its epochs, printed on one line separated by commas. {@code scripts/ref_torch_rnn.py
 * --init-from FILE --offsets LINE} then trains on the same windows from the same parameters, so
 * the two runs differ only in their arithmetic (scripts/compare-cells.sh with MATCHED=1).
 *
 * <p>Only runs the reference can follow: sequential sampling on the whole corpus, without a
 * validation split or --max-tokens, trained by {@code train} from its seed (not warm-started by
 * {@code retrain}).
 *
 * <p>usage: {@code TorchStartingPoint MODEL_DIR OUT.safetensors}
 */
public final class TorchStartingPoint {
  private TorchStartingPoint() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: TorchStartingPoint MODEL_DIR OUT.safetensors");
    }
    Configuration conf = new Configuration();
    SavedModel trained = new ModelStore(conf).load(args[0]);
    Map<String, String> options = trained.lineage().training();
    requireDefault(options, "sampling", "sequential");
    requireDefault(options, "max-tokens", "0");
    requireDefault(options, "val", "");
    requireDefault(options, "val-fraction", "0.0");
    long seed = Long.parseLong(options.get("seed"));

    float[] initial = new float[trained.params().length];
    trained.model().initialize(initial, seed);
    SavedModel.Lineage untrained = new SavedModel.Lineage(new SavedModel.TrainingPosition(0, 0, 0),
        options, trained.lineage().provenance());
    SavedModel start = new SavedModel(trained.architecture(), trained.text(), trained.vocabulary(),
        initial, untrained);
    new SafetensorsWriter(conf).write(start, ExportedTensor.asTorch(start), args[1]);

    WindowPlan plan = new WindowPlan(Long.parseLong(trained.lineage().provenance().get("tokens")),
        Integer.parseInt(options.get("batch")), Integer.parseInt(options.get("steps")),
        Integer.parseInt(options.get("partitions")), Sampling.SEQUENTIAL, seed);
    StringJoiner offsets = new StringJoiner(",");
    for (int e = 0; e < trained.lineage().position().epochs(); e++) {
      offsets.add(Integer.toString(plan.offset(e)));
    }
    System.out.println(offsets);
  }

  private static void requireDefault(Map<String, String> options, String name, String expected) {
    String value = options.getOrDefault(name, expected);
    if (!value.equals(expected)) {
      throw new IllegalArgumentException("the reference cannot follow --" + name + " " + value);
    }
  }
}
