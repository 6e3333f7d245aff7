package dev.rnnlm.cluster;

import dev.rnnlm.cli.Main;
import dev.rnnlm.testutil.SparkTestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process {@code rnnlm} command on the shared {@code local[2]} test context. */
record Cli(int exitCode, String out, String err) {
  static Cli run(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args.toArray(String[]::new), o, e, SparkTestContext.get());
    }
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Cli run(String... args) {
    return run(List.of(args));
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
  }
}
