package dev.rnnlm.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.status.api.v1.ExecutorSummary;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Ends a run whose application has lost every executor and got none back. Spark reschedules the
 * tasks of a lost executor on the others and starts new executors where workers still answer,
 * so losing some executors costs time, not the run. But when the driver itself is cut off (its
 * host's link down), every executor's heartbeat stops, Spark removes them all, and a job then
 * waits for resources forever. After {@code spark.network.timeout} with no executor, this
 * cancels the run's job group, and {@link #failure} turns the cancelled job into one line naming
 * the lost executors.
 *
 * <p>Only executors that registered and were then lost count: local mode (no executors of its
 * own) and a cluster still starting its first executors are never ended here.
 */
public final class ExecutorWatch implements AutoCloseable {
  private final SparkContext sc;
  private final String jobGroup;
  private final long waitMillis;
  private final Listener listener = new Listener();
  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "rnnlm-executor-watch");
    t.setDaemon(true);
    return t;
  });
  /** Executors registered and still alive, by id: their host. */
  private final Map<String, String> alive = new LinkedHashMap<>();
  /** Executors lost, in the order they were: "id on host". */
  private final List<String> lost = new ArrayList<>();
  private String firstReason;
  /** Since when no executor has been alive after one was lost; 0 while some is. */
  private long emptySince;
  private volatile ExecutorsLostException failure;

  private ExecutorWatch(SparkContext sc, String jobGroup, long waitMillis) {
    this.sc = sc;
    this.jobGroup = jobGroup;
    this.waitMillis = waitMillis;
  }

  /**
   * Watches {@code sc}'s executors for the jobs of {@code jobGroup}, waiting
   * {@code spark.network.timeout} (Spark's own time to give up on a silent executor) for one to
   * come back once all are lost.
   */
  public static ExecutorWatch start(SparkContext sc, String jobGroup) {
    long wait = sc.getConf().getTimeAsMs("spark.network.timeout", "120s");
    ExecutorWatch watch = new ExecutorWatch(sc, jobGroup, wait);
    sc.addSparkListener(watch.listener);
    // The executors that registered before the run: from Spark's status store, which the UI
    // reads too (the listener only hears of executors from now on).
    for (ExecutorSummary e : CollectionConverters.asJava(sc.statusStore().executorList(true))) {
      if (!e.id().equals("driver")) {
        String hostPort = e.hostPort();
        int colon = hostPort.lastIndexOf(':');
        watch.seed(e.id(), colon > 0 ? hostPort.substring(0, colon) : hostPort);
      }
    }
    long tick = Math.max(100, Math.min(1000, wait / 10));
    watch.clock.scheduleWithFixedDelay(watch::check, tick, tick, TimeUnit.MILLISECONDS);
    return watch;
  }

  /**
   * The failure to report instead of {@code e}, thrown by the run: this watch's, with {@code e}
   * as its cause, when it cancelled the run; else null.
   */
  public RuntimeException failure(Exception e) {
    ExecutorsLostException f = failure;
    if (f != null && f.getCause() == null) {
      f.initCause(e);
    }
    return f;
  }

  @Override
  public void close() {
    clock.shutdownNow();
    sc.removeSparkListener(listener);
  }

  private synchronized void check() {
    if (emptySince == 0 || System.currentTimeMillis() - emptySince < waitMillis) {
      return;
    }
    if (failure == null) {
      failure = new ExecutorsLostException(String.format(java.util.Locale.ROOT,
          "lost every executor (%s: %s) and none came back within %d s (spark.network.timeout); "
              + "once the driver and the workers reach each other again, continue from the newest "
              + "checkpoint with --resume", String.join(", ", lost), firstReason, waitMillis / 1000));
    }
    // Again on every tick: a job started after the first cancel would wait forever too.
    sc.cancelJobGroup(jobGroup);
  }

  private synchronized void seed(String id, String host) {
    alive.putIfAbsent(id, host);
  }

  private synchronized void added(String id, String host) {
    alive.put(id, host);
    emptySince = 0;
  }

  private synchronized void removed(String id, String reason) {
    String host = alive.remove(id);
    if (host == null) {
      return;
    }
    lost.add(id + " on " + host);
    if (firstReason == null) {
      firstReason = reason;
    }
    if (alive.isEmpty()) {
      emptySince = System.currentTimeMillis();
    }
  }

  private final class Listener extends SparkListener {
    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
      added(e.executorId(), e.executorInfo().executorHost());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      removed(e.executorId(), e.reason());
    }
  }

  /** The run's failure when its application lost every executor. */
  static final class ExecutorsLostException extends IllegalStateException {
    ExecutorsLostException(String message) {
      super(message);
    }
  }
}
