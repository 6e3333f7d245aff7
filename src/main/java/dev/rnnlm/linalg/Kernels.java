package dev.rnnlm.linalg;

/**
 * The linear-algebra code this JVM computes with: the BLAS behind the batched products (with
 * OpenBLAS, the core its kernels were chosen for) and the kernel of the recurrent products. Two
 * JVMs that report the same string compute the same bits for the same inputs; a run whose
 * executors report different ones would produce a model that depends on which executor ran which
 * task. OpenBLAS's cores differ: its generic "Prescott" kernel (SSE3, what Debian's OpenBLAS
 * 0.3.21 picks on CPUs it does not know) and its "Haswell" kernel round products differently.
 */
public final class Kernels {
  private Kernels() {}

  /**
   * E.g. "BLAS JNIBLAS (OpenBLAS Haswell), recurrent products native panels": the native
   * kernel's AVX-512 and AVX2 tiles compute the same bits, so executors on either CPU may train
   * one model together when their OpenBLAS cores agree.
   */
  public static String inUse() {
    return Holder.IN_USE;
  }

  /** The core OpenBLAS runs its kernels for, or null: not OpenBLAS, or no native helper to ask. */
  public static String openBlasCore() {
    return Holder.OPEN_BLAS_CORE;
  }

  private static final class Holder {
    /** Read after RowMajor has made netlib load its BLAS. */
    static final String OPEN_BLAS_CORE = RowMajor.isNative() && NativeKernels.available()
        ? NativeKernels.openBlasCore() : null;
    static final String IN_USE = "BLAS " + RowMajor.implementation()
        + (OPEN_BLAS_CORE == null ? "" : " (OpenBLAS " + OPEN_BLAS_CORE + ")")
        + ", recurrent products " + PackedMatrix.arithmetic();
  }
}
