package dev.rnnlm.train;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Writes a run's checkpoints, plot and metrics on one background thread, in the order they are
 * submitted, so that the next step does not wait for the file system or the PNG encoder.
 *
 * <p>One write runs at a time, and at most one more waits behind it: a driver that gets ahead
 * blocks in {@link #submit} (each waiting checkpoint holds a copy of the parameters, so this
 * bounds the memory to two copies). The first failure cancels every later write and is thrown
 * to the driver by its next {@link #submit} or by {@link #finish}, so a failing checkpoint
 * still stops the run, with the last good checkpoint named by the caller.
 */
final class BackgroundWriter implements AutoCloseable {
  /** One file-system write; runs on the writer's thread. */
  interface Write {
    void run() throws IOException;
  }

  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "rnnlm-writer");
    t.setDaemon(true);
    return t;
  });
  /** The running write and the one waiting behind it. */
  private final Semaphore slots = new Semaphore(2);
  private volatile IOException failure;

  /**
   * Queues {@code write} after every earlier one; blocks while two are already queued.
   *
   * @throws IOException the failure of an earlier write, naming it
   */
  void submit(String what, Write write) throws IOException {
    rethrowFailure();
    slots.acquireUninterruptibly();
    thread.execute(() -> {
      try {
        if (failure == null) {
          write.run();
        }
      } catch (IOException | RuntimeException e) {
        // One line: a message that ends in a line break (a chmod's stderr, say) would cut off
        // what the caller appends (the last good checkpoint).
        String why = String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", "; ");
        failure = new IOException("writing " + what + " failed: " + why, e);
      } finally {
        slots.release();
      }
    });
  }

  /**
   * Waits until every submitted write is done.
   *
   * @throws IOException the first write that failed, naming it
   */
  void finish() throws IOException {
    slots.acquireUninterruptibly(2);
    slots.release(2);
    rethrowFailure();
  }

  private void rethrowFailure() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw f;
    }
  }

  /** Waits for the writes in flight (a crash must not leave half of one behind), then stops the thread. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
