package dev.rnnlm.engine;

import dev.rnnlm.data.TokenShard;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import scala.Option;
import scala.reflect.ClassTag$;

/**
 * A round's results added on the executors, so the driver receives at most F of them.
 *
 * <p>Two jobs. The first runs every partition's {@link GradientTask} and keeps its result in the
 * executor's block store (serialized: the broadcast channel reuses each task thread's result
 * buffer). The second adds them level by level of {@link PartialSum}'s tree: a level's group is a
 * partition that reads its F consecutive inputs in order (a coalesce without shuffle, grouped by
 * {@link ConsecutiveGroups}), and the driver collects the top level's sums. No shuffle files are
 * written; the stored results are dropped after the round. The groups, and hence the bits,
 * depend on P and F only, never on where or when a task ran.
 */
final class AggregationTree {
  private AggregationTree() {}

  /** The top level's sums (at most {@code fanIn}), in order. */
  static List<PartialSum> run(JavaSparkContext sc, RDD<TokenShard> shards, GradientTask task,
                              int fanIn) {
    JavaRDD<PartialSum> leaves = new JavaRDD<>(shards, ClassTag$.MODULE$.apply(TokenShard.class))
        .mapPartitions(new Leaf(task))
        .persist(StorageLevel.MEMORY_ONLY_SER());
    try {
      leaves.foreachPartition(new Drain());
      JavaRDD<PartialSum> level = leaves;
      for (int l = PartialSum.levelsBelowTop(shards.getNumPartitions(), fanIn); l > 0; l--) {
        int groups = PartialSum.groups(level.getNumPartitions(), fanIn);
        RDD<PartialSum> grouped = level.rdd().coalesce(groups, false,
            Option.apply(new ConsecutiveGroups(fanIn)), null);
        level = new JavaRDD<>(grouped, ClassTag$.MODULE$.apply(PartialSum.class)).mapPartitions(new AddGroup());
      }
      return level.collect();
    } finally {
      leaves.unpersist(false);
    }
  }

  /** A partition's round, as a leaf of the tree. */
  private static final class Leaf implements FlatMapFunction<java.util.Iterator<TokenShard>, PartialSum> {
    private final GradientTask task;

    Leaf(GradientTask task) {
      this.task = task;
    }

    @Override
    public java.util.Iterator<PartialSum> call(java.util.Iterator<TokenShard> shards) {
      return List.of(PartialSum.of(task.compute(TaskContext.get(), shards.next()))).iterator();
    }
  }

  /** Consumes a partition, so that it is computed and stored. */
  private static final class Drain implements org.apache.spark.api.java.function.VoidFunction<java.util.Iterator<PartialSum>> {
    @Override
    public void call(java.util.Iterator<PartialSum> sums) {
      while (sums.hasNext()) {
        sums.next();
      }
    }
  }

  /** One group of a level: its inputs in order, added into one sum numbered by the group. */
  private static final class AddGroup implements FlatMapFunction<java.util.Iterator<PartialSum>, PartialSum> {
    @Override
    public java.util.Iterator<PartialSum> call(java.util.Iterator<PartialSum> sums) {
      List<PartialSum> group = new ArrayList<>();
      sums.forEachRemaining(group::add);
      return List.of(PartialSum.addInOrder(TaskContext.getPartitionId(), group)).iterator();
    }
  }

  /** Parent partitions {@code [g F, (g + 1) F)} form group g, in order. */
  static final class ConsecutiveGroups implements PartitionCoalescer, Serializable {
    private final int fanIn;

    ConsecutiveGroups(int fanIn) {
      this.fanIn = fanIn;
    }

    @Override
    public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
      Partition[] parts = parent.partitions();
      PartitionGroup[] groups = new PartitionGroup[PartialSum.groups(parts.length, fanIn)];
      for (int g = 0; g < groups.length; g++) {
        groups[g] = new PartitionGroup(Option.empty());
        for (int p = g * fanIn; p < Math.min(parts.length, (g + 1) * fanIn); p++) {
          groups[g].partitions().addOne(parts[p]);
        }
      }
      return groups;
    }
  }
}
