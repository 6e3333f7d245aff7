package dev.rnnlm.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The processes a test starts, all ended by {@link #close()}: each started process with its
 * descendants (a Spark worker's executors), then every other process whose command line holds
 * the marker (the test's own directory), such as an executor whose worker is already gone. A
 * JVM shutdown hook does the same if the test JVM exits first. Ending is SIGKILL: these are
 * throwaway processes of a test.
 */
public final class ProcessGroup implements AutoCloseable {
  private final String marker;
  private final List<Process> started = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll, "ProcessGroup cleanup");
  private boolean closed;

  /** {@code marker}: a string that only the command lines of this group's processes contain. */
  public ProcessGroup(String marker) {
    this.marker = marker;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts {@code builder}'s command as a member of this group. */
  public synchronized Process start(ProcessBuilder builder) throws IOException {
    if (closed) {
      throw new IllegalStateException("process group is closed");
    }
    Process p = builder.start();
    started.add(p);
    return p;
  }

  /** {@code java [jvmOptions] -cp classpath mainClass args}, with this JVM's {@code java}. */
  public static List<String> javaCommand(List<String> jvmOptions, String classpath, String mainClass,
                                         List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Live processes (other than this JVM) whose command line holds the marker and all {@code parts}. */
  public List<ProcessHandle> find(String... parts) {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(h -> h.pid() != self && h.isAlive())
        .filter(h -> {
          String cmd = commandLine(h);
          return cmd.contains(marker) && Arrays.stream(parts).allMatch(cmd::contains);
        })
        .toList();
  }

  /** Gone, or a zombie that only waits for its parent to collect it (no command line). */
  private static boolean ended(ProcessHandle h) {
    return !h.isAlive() || commandLine(h).isEmpty();
  }

  /** The full command line, arguments separated by spaces; empty when unreadable or gone. */
  public static String commandLine(ProcessHandle h) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
    } catch (IOException | RuntimeException e) {
      return h.info().commandLine().orElse("");
    }
  }

  /**
   * Kills every process of the group and waits for them to end.
   *
   * @throws IllegalStateException when a process of the group is still alive afterwards
   */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    List<ProcessHandle> left = find();
    if (!left.isEmpty()) {
      throw new IllegalStateException("processes left running: "
          + left.stream().map(h -> h.pid() + " " + commandLine(h)).toList());
    }
  }

  private void killAll() {
    List<Process> mine;
    synchronized (this) {
      closed = true;
      mine = new ArrayList<>(started);
    }
    for (int round = 0; round < 3; round++) {
      Set<ProcessHandle> victims = new LinkedHashSet<>();
      for (int i = mine.size() - 1; i >= 0; i--) {
        ProcessHandle h = mine.get(i).toHandle();
        victims.addAll(h.descendants().toList());
        victims.add(h);
      }
      victims.addAll(find());
      victims.removeIf(ProcessGroup::ended);
      if (victims.isEmpty()) {
        break;
      }
      victims.forEach(ProcessHandle::destroyForcibly);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!victims.stream().allMatch(ProcessGroup::ended) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    for (Process p : mine) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
