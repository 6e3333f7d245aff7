package dev.rnnlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundWriterTest {
  @Test
  void writesRunOneAtATimeInSubmissionOrder() throws Exception {
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    try (BackgroundWriter writer = new BackgroundWriter()) {
      for (int i = 0; i < 50; i++) {
        int n = i;
        writer.submit("write " + n, () -> {
          mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
          Thread.onSpinWait();
          order.add(n);
          running.decrementAndGet();
        });
      }
      writer.finish();
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
    assertEquals(1, mostAtOnce.get());
  }

  @Test
  void aDriverThatGetsAheadWaitsBehindOneQueuedWrite() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean thirdSubmitted = new AtomicBoolean();
    try (BackgroundWriter writer = new BackgroundWriter()) {
      writer.submit("slow", () -> {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      writer.submit("queued", () -> { });
      Thread driver = new Thread(() -> {
        try {
          writer.submit("third", () -> { });
          thirdSubmitted.set(true);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      driver.start();
      Thread.sleep(300);
      assertFalse(thirdSubmitted.get(), "a third write waits while two are queued");
      release.countDown();
      driver.join(TimeUnit.SECONDS.toMillis(10));
      assertTrue(thirdSubmitted.get());
      writer.finish();
    }
  }

  @Test
  void theFirstFailureCancelsLaterWritesAndReachesTheDriver() throws Exception {
    AtomicBoolean laterRan = new AtomicBoolean();
    CountDownLatch laterQueued = new CountDownLatch(1);
    try (BackgroundWriter writer = new BackgroundWriter()) {
      writer.submit("checkpoint at step 40", () -> {
        try {
          laterQueued.await(); // fail only once the next write waits behind this one
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("disk full");
      });
      writer.submit("metrics", () -> laterRan.set(true));
      laterQueued.countDown();
      IOException e = assertThrows(IOException.class, writer::finish);
      assertEquals("writing checkpoint at step 40 failed: disk full", e.getMessage());
      assertThrows(IOException.class, () -> writer.submit("plot", () -> { }), "the next submit reports it too");
    }
    assertFalse(laterRan.get(), "nothing is written after a failure");
  }

  /** A failure whose message spans lines (a chmod's stderr) is reported on one line. */
  @Test
  void aFailureIsReportedOnOneLine() throws Exception {
    try (BackgroundWriter writer = new BackgroundWriter()) {
      writer.submit("checkpoint at step 7", () -> {
        throw new IOException("chmod: cannot access 'x': Not a directory\n");
      });
      IOException e = assertThrows(IOException.class, writer::finish);
      assertEquals("writing checkpoint at step 7 failed: chmod: cannot access 'x': Not a directory", e.getMessage());
    }
    try (BackgroundWriter writer = new BackgroundWriter()) {
      writer.submit("metrics", () -> {
        throw new IOException("first\r\n  second\nthird");
      });
      IOException e = assertThrows(IOException.class, writer::finish);
      assertEquals("writing metrics failed: first; second; third", e.getMessage());
    }
  }
}
