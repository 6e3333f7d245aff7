package dev.rnnlm.linalg;

/**
 * The linear-algebra code this JVM computes with: the BLAS behind the batched products and the
 * kernel of the recurrent products. Two JVMs that report the same string compute the same bits
 * for the same inputs; a run whose executors report different ones would produce a model that
 * depends on which executor ran which task.
 */
public final class Kernels {
  private Kernels() {}

  /**
   * E.g. "BLAS JNIBLAS, recurrent products native panels": the native kernel's AVX-512 and AVX2
   * tiles compute the same bits, so executors on either CPU may train one model together.
   */
  public static String inUse() {
    return Holder.IN_USE;
  }

  private static final class Holder {
    static final String IN_USE = "BLAS " + RowMajor.implementation() + ", recurrent products "
        + PackedMatrix.arithmetic();
  }
}
