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

  /**
   * The BLAS as a user reads it: "JNIBLAS (OpenBLAS 0.3.21 Zen)", the implementation netlib loaded
   * and, for OpenBLAS, its version and the core its kernels were chosen for.
   */
  public static String blas() {
    return Holder.BLAS;
  }

  /**
   * Null, or why the BLAS runs slower than this CPU allows and what to do: OpenBLAS on its
   * generic Prescott kernel (SSE3: what Debian's OpenBLAS 0.3.21 picks on CPUs it does not know)
   * on a CPU with AVX2, whose products then take 4-7 times longer than with the Haswell or
   * SkylakeX kernel.
   */
  public static String slowBlasWarning() {
    if (!"Prescott".equals(Holder.OPEN_BLAS_CORE) || !NativeKernels.available()) {
      return null;
    }
    String proper = NativeKernels.avx512Supported() ? "SkylakeX" : "Haswell";
    return "OpenBLAS runs its generic Prescott kernel (SSE3) on this CPU, which has "
        + (NativeKernels.avx512Supported() ? "AVX-512" : "AVX2") + ": its products run several times slower than"
        + " they could; set OPENBLAS_CORETYPE=" + proper + " for the driver and every executor"
        + " (spark.executorEnv.OPENBLAS_CORETYPE=" + proper + ")";
  }

  private static final class Holder {
    /** Read after RowMajor has made netlib load its BLAS. */
    static final String OPEN_BLAS_CORE = RowMajor.isNative() && NativeKernels.available()
        ? NativeKernels.openBlasCore() : null;
    /** "0.3.21", or null. */
    static final String OPEN_BLAS_VERSION = versionOf(OPEN_BLAS_CORE == null ? null : NativeKernels.openBlasConfig());
    static final String BLAS = RowMajor.implementation() + (OPEN_BLAS_CORE == null ? ""
        : " (OpenBLAS " + (OPEN_BLAS_VERSION == null ? "" : OPEN_BLAS_VERSION + " ") + OPEN_BLAS_CORE + ")");
    static final String IN_USE = "BLAS " + RowMajor.implementation()
        + (OPEN_BLAS_CORE == null ? "" : " (OpenBLAS " + OPEN_BLAS_CORE + ")")
        + ", recurrent products " + PackedMatrix.arithmetic();

    /** The version in OpenBLAS's config string ("OpenBLAS 0.3.21 ..."), or null. */
    private static String versionOf(String config) {
      if (config == null) {
        return null;
      }
      String[] words = config.trim().split("\\s+");
      return words.length > 1 && words[0].equals("OpenBLAS") ? words[1] : null;
    }
  }
}
