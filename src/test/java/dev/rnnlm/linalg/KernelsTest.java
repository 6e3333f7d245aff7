package dev.rnnlm.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelsTest {

  /** What {@link Kernels#inUse} says in a fresh JVM whose OpenBLAS is given {@code coreType}. */
  private static String kernelsInUseWithCore(String coreType) throws IOException, InterruptedException {
    return kernelsWithCore(coreType).get(0);
  }

  /**
   * {@link Kernels#inUse}, {@link Kernels#blas} and {@link Kernels#slowBlasWarning} in a fresh JVM
   * whose OpenBLAS is given {@code coreType}.
   */
  private static List<String> kernelsWithCore(String coreType) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), PrintKernels.class.getName()));
    builder.environment().put("OPENBLAS_CORETYPE", coreType);
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, process.waitFor(), out);
    return out.lines().toList();
  }

  /** Prints {@link Kernels#inUse} (run in a child JVM by the test above). */
  public static final class PrintKernels {
    public static void main(String[] args) {
      System.out.println(Kernels.inUse());
      System.out.println(Kernels.blas());
      System.out.println(Kernels.slowBlasWarning());
    }
  }

  /**
   * OpenBLAS's generic and Haswell kernels round products differently, so executors with
   * different cores must not pass the kernel check as one kernel.
   */
  @Test
  void kernelIdentityNamesTheCoreOpenBlasComputesWith() throws Exception {
    assumeTrue(Kernels.openBlasCore() != null, "OpenBLAS with the native helper loaded here");
    String generic = kernelsInUseWithCore("Prescott");
    assertTrue(generic.contains("(OpenBLAS Prescott)"), generic);
    assumeTrue(NativeKernels.available(), "an AVX2 host for OpenBLAS's Haswell kernel");
    String haswell = kernelsInUseWithCore("Haswell");
    assertTrue(haswell.contains("(OpenBLAS Haswell)"), haswell);
  }

  /**
   * The corpus line names OpenBLAS's version and core, and OpenBLAS's generic kernel on a CPU
   * with AVX2 gets a warning that says how to choose the proper one.
   */
  @Test
  void theBlasIsNamedWithItsVersionAndCoreAndTheGenericKernelIsWarnedAbout() throws Exception {
    assumeTrue(Kernels.openBlasCore() != null && NativeKernels.available(), "OpenBLAS on an AVX2 host");
    List<String> generic = kernelsWithCore("Prescott");
    assertTrue(generic.get(1).matches("JNIBLAS \\(OpenBLAS \\d+\\.\\d+\\.\\d+ Prescott\\)"), generic.get(1));
    String proper = NativeKernels.avx512Supported() ? "SkylakeX" : "Haswell";
    assertTrue(generic.get(2).startsWith("OpenBLAS runs its generic Prescott kernel (SSE3) on this CPU")
        && generic.get(2).contains("OPENBLAS_CORETYPE=" + proper), generic.get(2));
    List<String> properCore = kernelsWithCore(proper);
    assertTrue(properCore.get(1).endsWith(" " + proper + ")"), properCore.get(1));
    assertEquals("null", properCore.get(2));
  }

  /** The test JVMs get the BLAS environment scripts/rnnlm sets: one BLAS thread per task slot. */
  @Test
  void testJvmsRunOneBlasThreadPerTaskAsScriptsRnnlmDoes() {
    assertEquals("1", System.getenv("OPENBLAS_NUM_THREADS"));
  }
}
