package dev.rnnlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's log takes what threads print to System.err during the run, and gives it back after. */
class RunLogTest {
  @TempDir
  Path dir;

  @Test
  void stackTracesThatThreadsPrintDuringARunGoToTheLogNotTheConsole()
      throws IOException, InterruptedException {
    PrintStream before = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream consoleStream = new PrintStream(console, true, StandardCharsets.UTF_8);
    System.setErr(consoleStream);
    try {
      try (RunLog log = RunLog.start(new Configuration(), dir.toString(), "train")) {
        // As a pool that rejects work while a failed job winds down: an uncaught exception,
        // printed by the thread's default handler, and one printed by the code itself.
        Thread pool = new Thread(() -> {
          new IllegalStateException("printed by the code").printStackTrace();
          throw new IllegalStateException("uncaught in a pool thread");
        }, "a-pool-thread");
        pool.start();
        pool.join();
      }
      assertSame(consoleStream, System.err, "the console is System.err again after the run");
      System.err.println("after the run");
    } finally {
      System.setErr(before);
    }
    assertEquals("after the run\n", console.toString(StandardCharsets.UTF_8));
    List<Path> logs;
    try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
      logs = files.toList();
    }
    assertEquals(1, logs.size(), logs.toString());
    String logged = Files.readString(logs.get(0));
    assertTrue(logged.contains("printed by the code"), logged);
    assertTrue(logged.contains("Exception in thread \"a-pool-thread\""), logged);
    assertTrue(logged.contains("uncaught in a pool thread"), logged);
    assertTrue(logged.contains("\tat "), "with its stack trace: " + logged);
  }
}
