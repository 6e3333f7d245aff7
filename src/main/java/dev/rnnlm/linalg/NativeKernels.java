package dev.rnnlm.linalg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JNI entry points of {@code src/main/c/packed_matrix.c} and {@code softmax_rows.c}, loaded
 * once per JVM from the jar (driver and executors alike). Optional: when the library is absent
 * (not built, another platform), cannot load, the CPU lacks AVX2/FMA, or
 * {@code -Drnnlm.native=false} is set, {@link #available()} is false, {@link PackedMatrix}
 * multiplies with BLAS and {@link NativeRows} is not used.
 *
 * <p>On a CPU with AVX-512F the products run its tiles ({@link #avx512()}), which compute the
 * same bits as the AVX2 tiles; {@code -Drnnlm.avx512=false} keeps the AVX2 tiles (comparisons).
 *
 * <p>The native methods do no bounds checks: {@link PackedMatrix} and {@link NativeRows} check
 * before calling.
 */
final class NativeKernels {
  private static final String DISABLE_PROPERTY = "rnnlm.native";
  private static final String AVX512_PROPERTY = "rnnlm.avx512";
  private static final String RESOURCE = "/native/linux-x86_64/librnnlm_kernels.so";

  private static final String UNAVAILABLE_REASON = load();
  /** Must follow the load: the native call also arms the native AVX-512 path. */
  private static final boolean AVX512_SUPPORTED = UNAVAILABLE_REASON == null && supportedAvx512();
  private static final boolean AVX512 = AVX512_SUPPORTED
      && !"false".equalsIgnoreCase(System.getProperty(AVX512_PROPERTY));

  private NativeKernels() {}

  /** Whether the native kernels are loaded and this CPU runs them. */
  static boolean available() {
    return UNAVAILABLE_REASON == null;
  }

  /** Why the native kernels are not used, or null when they are. */
  static String unavailableReason() {
    return UNAVAILABLE_REASON;
  }

  /** Whether the kernels are available and this CPU runs their AVX-512 tiles. */
  static boolean avx512Supported() {
    return AVX512_SUPPORTED;
  }

  /** Whether products use the AVX-512 tiles by default: supported, and not -Drnnlm.avx512=false. */
  static boolean avx512() {
    return AVX512;
  }

  /** Returns null on success, else the reason the kernels cannot be used. */
  private static String load() {
    if ("false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY))) {
      return "disabled by -D" + DISABLE_PROPERTY + "=false";
    }
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "");
    if (!os.startsWith("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "built for x86-64 Linux only, this is " + os + " " + arch;
    }
    try (InputStream in = NativeKernels.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "not built into this jar (gcc was missing at build time)";
      }
      Path file = Files.createTempFile("rnnlm_kernels", ".so");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      System.load(file.toAbsolutePath().toString());
    } catch (IOException | UnsatisfiedLinkError e) {
      return "cannot load " + RESOURCE + ": " + e.getMessage();
    }
    return supported() ? null : "this CPU lacks AVX2/FMA";
  }

  static native boolean supported();

  /**
   * The core OpenBLAS runs its kernels for (e.g. "Haswell", "Prescott"), or null when the loaded
   * BLAS is not OpenBLAS. Call after netlib has loaded its BLAS.
   */
  static native String openBlasCore();

  /**
   * OpenBLAS's build description (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen
   * MAX_THREADS=64"), or null when the loaded BLAS is not OpenBLAS.
   */
  static native String openBlasConfig();

  /** Whether this CPU has AVX-512F; also enables the native AVX-512 path (call once, on load). */
  private static native boolean supportedAvx512();

  /** Packs op(src) (k, n) into {@code panels}; src is (k, n), or (n, k) when transposed. */
  static native void pack(float[] src, int srcOffset, int k, int n, boolean transposed,
                          float[] panels);

  /**
   * {@code C(m, n) += A(m, k) op(M)}, op(M) packed by {@link #pack}; all row-major. With
   * {@code avx512} on the AVX-512 tiles ({@link #avx512Supported()} must hold, else the AVX2 ones).
   */
  static native void multiplyAdd(int m, int n, int k, float[] a, int aOffset, float[] panels,
                                 float[] c, int cOffset, boolean avx512);

  /** Math.max over {@code a[offset, offset + n)} (softmax_rows.c). */
  static native float rowMax(float[] a, int offset, int n);

  /** {@code a[offset + j] += bias[biasOffset + j]} for j < n; Math.max over the new row. */
  static native float addAndMax(float[] a, int offset, float[] bias, int biasOffset, int n);

  /**
   * The double sum of {@code exp(src[srcOffset + i] - shift)} for i < n, each exponential also
   * stored into {@code dst[dstOffset + i]} when dst is not null.
   */
  static native double expShiftedSum(float[] src, int srcOffset, float shift, float[] dst,
                                     int dstOffset, int n);
}
