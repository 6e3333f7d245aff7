package dev.rnnlm.engine;

import dev.rnnlm.optim.RowSupport;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The sum of the step results of consecutive partitions, and the summation tree that adds them.
 *
 * <p>The tree is fixed by the partition count P and the fan-in F alone: partitions are taken in
 * order in groups of F (the last may be smaller), each group is added left to right, and the
 * groups' sums are grouped again until at most F remain, which are added left to right. With
 * F >= P it is one group: {@code ((r0 + r1) + r2) + ...}, the driver's direct sum. Wherever each
 * group is added (on an executor, or on the driver in local mode), the bits are the same.
 *
 * <p>What is added: loss, target tokens, the result vectors (gradients or weighted parameter
 * changes) and the local steps' clipping counts. What is kept per partition, in partition order:
 * final states, kernels and executors. Timings are combined by max and min. Mutable while it
 * is being added to; the first summand's vector is added into (it is the caller's to give away).
 */
final class PartialSum implements Serializable {
  /** Position among the sums of its level of the tree (the partition, for a leaf). */
  private final int index;
  private double lossSum;
  private long tokens;
  private final PackedFloats vector;
  private double localNormSum;
  private long localClipped;
  private final List<PackedFloats> finalStates = new ArrayList<>();
  private final List<String> kernels = new ArrayList<>();
  private final List<String> executors = new ArrayList<>();
  private long maxKernelNanos;
  private long maxKernelCpuNanos;
  private long firstTaskStartNanos;
  private long lastKernelEndNanos;

  private PartialSum(int index, PackedFloats vector) {
    this.index = index;
    this.vector = vector;
  }

  /** A leaf: one partition's result. */
  static PartialSum of(StepResult r) {
    PartialSum s = new PartialSum(r.partition(), r.sums().vector());
    s.lossSum = r.sums().lossSum();
    s.tokens = r.sums().tokens();
    s.localNormSum = r.clipping().normSum();
    s.localClipped = r.clipping().clipped();
    s.finalStates.add(r.sums().finalState());
    s.kernels.add(r.origin().kernels());
    s.executors.add(r.origin().executor());
    s.maxKernelNanos = r.timing().kernelNanos();
    s.maxKernelCpuNanos = r.timing().kernelCpuNanos();
    s.firstTaskStartNanos = r.timing().taskStartNanos();
    s.lastKernelEndNanos = r.timing().kernelEndNanos();
    return s;
  }

  /** {@code parts} (in order, at least one) added left to right into the first, as sum {@code index}. */
  static PartialSum addInOrder(int index, List<PartialSum> parts) {
    PartialSum first = parts.get(0);
    PartialSum s = new PartialSum(index, first.vector);
    s.lossSum = first.lossSum;
    s.tokens = first.tokens;
    s.localNormSum = first.localNormSum;
    s.localClipped = first.localClipped;
    s.maxKernelNanos = first.maxKernelNanos;
    s.maxKernelCpuNanos = first.maxKernelCpuNanos;
    s.firstTaskStartNanos = first.firstTaskStartNanos;
    s.lastKernelEndNanos = first.lastKernelEndNanos;
    s.keepPerPartition(first);
    for (int i = 1; i < parts.size(); i++) {
      s.add(parts.get(i));
    }
    return s;
  }

  /** Adds {@code p}, the sum of the partitions after this one's. */
  private void add(PartialSum p) {
    float[] sum = vector.values();
    float[] v = p.vector.values();
    if (v.length != sum.length) {
      throw new IllegalStateException("result vectors differ in length: " + sum.length + " and " + v.length);
    }
    // p's vector is zero outside its support: adding only the supported ranges gives the same bits
    RowSupport.forEachRange(p.vector.support(), sum.length, (from, to) -> {
      for (int j = from; j < to; j++) {
        sum[j] += v[j];
      }
    });
    RowSupport mine = vector.support();
    RowSupport theirs = p.vector.support();
    vector.support(mine == null || theirs == null ? null : mine.union(theirs));
    lossSum += p.lossSum;
    tokens += p.tokens;
    localNormSum += p.localNormSum;
    localClipped += p.localClipped;
    maxKernelNanos = Math.max(maxKernelNanos, p.maxKernelNanos);
    maxKernelCpuNanos = Math.max(maxKernelCpuNanos, p.maxKernelCpuNanos);
    firstTaskStartNanos = Math.min(firstTaskStartNanos, p.firstTaskStartNanos);
    lastKernelEndNanos = Math.max(lastKernelEndNanos, p.lastKernelEndNanos);
    keepPerPartition(p);
  }

  private void keepPerPartition(PartialSum p) {
    finalStates.addAll(p.finalStates);
    kernels.addAll(p.kernels);
    executors.addAll(p.executors);
  }

  /** One level of the tree: {@code items} in order, in groups of {@code fanIn}, each added in order. */
  static List<PartialSum> addGroups(List<PartialSum> items, int fanIn) {
    List<PartialSum> out = new ArrayList<>();
    for (int from = 0; from < items.size(); from += fanIn) {
      out.add(addInOrder(from / fanIn, items.subList(from, Math.min(items.size(), from + fanIn))));
    }
    return out;
  }

  /** Groups of {@code count} items at one level: the items of the next. */
  static int groups(int count, int fanIn) {
    return (count + fanIn - 1) / fanIn;
  }

  /** Levels added before the top (on executors, on a cluster): none when {@code partitions <= fanIn}. */
  static int levelsBelowTop(int partitions, int fanIn) {
    int levels = 0;
    for (int n = partitions; n > fanIn; n = groups(n, fanIn)) {
      levels++;
    }
    return levels;
  }

  /** The whole tree over every partition's leaf (in partition order): the driver's view in local mode. */
  static PartialSum addTree(List<PartialSum> leaves, int fanIn) {
    List<PartialSum> level = leaves;
    for (int l = levelsBelowTop(leaves.size(), fanIn); l > 0; l--) {
      level = addGroups(level, fanIn);
    }
    return addInOrder(0, level);
  }

  int index() {
    return index;
  }

  double lossSum() {
    return lossSum;
  }

  long tokens() {
    return tokens;
  }

  /** The summed result vector: the caller's to change. */
  float[] vector() {
    return vector.values();
  }

  /** Where {@link #vector} may be non-zero; null: anywhere. */
  RowSupport support() {
    return vector.support();
  }

  /** Sum over partitions and local steps of the local gradient norms before clipping. */
  double localNormSum() {
    return localNormSum;
  }

  /** Local steps, over all partitions, whose gradient was clipped. */
  long localClipped() {
    return localClipped;
  }

  /** Each partition's final states, null when none is carried. */
  float[][] finalStates() {
    if (finalStates.isEmpty() || finalStates.get(0) == null) {
      return null;
    }
    return finalStates.stream().map(PackedFloats::values).toArray(float[][]::new);
  }

  String[] kernels() {
    return kernels.toArray(String[]::new);
  }

  String[] executors() {
    return executors.toArray(String[]::new);
  }

  long maxKernelNanos() {
    return maxKernelNanos;
  }

  long maxKernelCpuNanos() {
    return maxKernelCpuNanos;
  }

  long firstTaskStartNanos() {
    return firstTaskStartNanos;
  }

  long lastKernelEndNanos() {
    return lastKernelEndNanos;
  }

  /** Payload bytes of this sum as it travels: the vector and the final states, as float32. */
  long payloadBytes() {
    long floats = vector.floatsWritten();
    for (PackedFloats s : finalStates) {
      floats += s == null ? 0 : s.values().length;
    }
    return floats * Float.BYTES;
  }
}
