package dev.rnnlm.testutil;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code rnnlm} command in a JVM of its own, as a user starts it (a process that can be
 * killed, that exits with a status), on the test classpath: the test JVM's module options and
 * system properties, the given heap, local Spark bound to loopback.
 */
public final class CliProcess {
  private CliProcess() {}

  /** Starts {@code rnnlm args} with {@code -Xmx<heap>}, standard output and error both into {@code log}. */
  public static Process start(String heap, Path log, List<String> args) throws IOException {
    return start(heap, log, List.of(), args);
  }

  /** As {@link #start(String, Path, List)}, with more JVM options ({@code -Dspark.*} settings, say). */
  public static Process start(String heap, Path log, List<String> jvmOptions, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-modules") || arg.startsWith("-D")
          && !arg.startsWith("-Dbasedir")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-Xmx" + heap, "-cp", System.getProperty("java.class.path"), "dev.rnnlm.cli.Main"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    return pb.start();
  }
}
