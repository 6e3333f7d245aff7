package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {
  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  @TempDir
  Path work;

  @Test
  void ofWritersRacingForOneDirectoryExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 25; round++) {
        String dir = work.resolve("race-" + round).toString();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<DirectoryLock>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          attempts.add(pool.submit(() -> {
            go.await();
            try {
              return DirectoryLock.acquire(new Configuration(), dir, "model directory", QUIET);
            } catch (DirectoryLock.HeldException e) {
              return null;
            }
          }));
        }
        go.countDown();
        List<DirectoryLock> winners = new ArrayList<>();
        for (Future<DirectoryLock> a : attempts) {
          DirectoryLock lock = a.get(); // all attempts end before any winner releases
          if (lock != null) {
            winners.add(lock);
          }
        }
        assertEquals(1, winners.size(), "round " + round);
        for (DirectoryLock lock : winners) {
          lock.close();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aHeldLockNamesItsHolderAndIsFreeAgainAfterClose() throws Exception {
    String dir = work.resolve("m").toString();
    DirectoryLock first = DirectoryLock.acquire(new Configuration(), dir, "model directory", QUIET);
    DirectoryLock.HeldException held = assertThrows(DirectoryLock.HeldException.class,
        () -> DirectoryLock.acquire(new Configuration(), dir, "model directory", QUIET));
    assertTrue(held.getMessage().startsWith("model directory " + dir + " is in use by another run (pid "
        + ProcessHandle.current().pid() + " on " + DirectoryLock.host() + " since "), held.getMessage());
    first.close();
    first.close(); // idempotent
    assertFalse(Files.exists(work.resolve("m").resolve(DirectoryLock.FILE)));
    DirectoryLock.acquire(new Configuration(), dir, "model directory", QUIET).close();
  }

  @Test
  void closingNeverDeletesALockThatAnotherProcessTookOver() throws Exception {
    Path dir = work.resolve("m");
    DirectoryLock mine = DirectoryLock.acquire(new Configuration(), dir.toString(), "model directory", QUIET);
    String theirs = "pid=1\nhost=" + DirectoryLock.host() + "\nstarted=" + Instant.now() + "\n";
    Files.writeString(dir.resolve(DirectoryLock.FILE), theirs);
    mine.close();
    assertEquals(theirs, Files.readString(dir.resolve(DirectoryLock.FILE)));
  }

  @Test
  void staleMeansGoneOrPidReusedOnThisHostAndNeverAnotherHostsLock() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String here = DirectoryLock.host();
    String me = Long.toString(ProcessHandle.current().pid());
    assertTrue(DirectoryLock.isStale(new DirectoryLock.Holder(Long.toString(gone.pid()), here, Instant.now().toString())));
    assertTrue(DirectoryLock.isStale(new DirectoryLock.Holder(me, here, "2000-01-01T00:00:00Z")), "pid reused");
    assertFalse(DirectoryLock.isStale(new DirectoryLock.Holder(me, here, Instant.now().toString())));
    assertFalse(DirectoryLock.isStale(new DirectoryLock.Holder(Long.toString(gone.pid()), "elsewhere", "?")));
  }
}
