package dev.rnnlm.engine;

import dev.rnnlm.data.TokenShard;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import scala.collection.Iterator;
import scala.collection.Iterator$;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * Local mode: one Spark job whose task per partition stays for many rounds, so that a round
 * costs a hand-over between threads instead of a Spark job: submitting, scheduling and
 * finishing a job is driver work of the same order as a small model's step.
 *
 * <p>Each task reads its cached shard once, then waits for a round: the driver hands every task
 * the round's function by reference (the tasks run on threads of its own JVM) and waits for all
 * P results, which it reads in partition order as from a job. The function is the one a job per
 * round would run, so the results are the same bits.
 *
 * <p>Every task must run at once: this needs a task slot per partition ({@link #fits}); with
 * fewer, steps stay one job each. Waiting tasks hold their slots, so they make way for any other
 * job: when one starts (validation, a job of the program embedding the trainer) they end theirs
 * between rounds, and the next round starts a new one; {@link #end} does the same at once. A
 * failed task fails the job, and the driver's wait rethrows its failure as {@code runJob} would;
 * a killed task (the context stopping, say) leaves its wait within {@link #POLL_MILLIS}.
 */
final class ResidentJob {
  /** Set to {@code false} to run one Spark job per step in local mode too (comparisons). */
  static final String PROPERTY = "rnnlm.residentTasks";
  /** The job property that marks a resident job, so its own start does not make it yield. */
  private static final String JOB_PROPERTY = "rnnlm.residentJob";
  /** How often a waiting side looks at the other's health: a killed task, a failed job. */
  private static final long POLL_MILLIS = 50;
  private static final Map<Long, Exchange> OPEN = new ConcurrentHashMap<>();
  private static final AtomicLong NEXT_ID = new AtomicLong();

  /** One round's work on one partition: a task's function, given that partition's one shard. */
  interface Work extends Serializable {
    Object apply(TaskContext context, Iterator<TokenShard> shard);
  }

  private final JavaSparkContext sc;
  private final RDD<TokenShard> shards;
  private final Seq<Object> partitions;
  private final int partitionCount;
  /** The running job, its exchange and its listener; null when none runs. */
  private SimpleFutureAction<BoxedUnit> job;
  private Exchange exchange;
  private OtherJobs listener;

  ResidentJob(JavaSparkContext sc, RDD<TokenShard> shards, Seq<Object> partitions) {
    this.sc = sc;
    this.shards = shards;
    this.partitions = partitions;
    this.partitionCount = partitions.size();
  }

  /**
   * Whether resident tasks can run {@code partitions} partitions here: local mode with a task
   * slot for each, unless {@value #PROPERTY} is {@code false}.
   */
  static boolean fits(JavaSparkContext sc, int partitions) {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
      return false;
    }
    return partitions <= taskSlots(sc);
  }

  /** Tasks that can run at once in the driver's JVM: local threads / spark.task.cpus; 0 off local mode. */
  static int taskSlots(JavaSparkContext sc) {
    int cpusPerTask = Math.max(1, sc.getConf().getInt("spark.task.cpus", 1));
    return localThreads(sc.master()) / cpusPerTask;
  }

  /**
   * The task threads of a local master: {@code local} 1, {@code local[N]} and {@code local[N,F]}
   * N, {@code local[*]} every processor; 0 for any other master (executors in other JVMs).
   */
  static int localThreads(String master) {
    if (master.equals("local")) {
      return 1;
    }
    if (!master.startsWith("local[") || !master.endsWith("]")) {
      return 0;
    }
    String threads = master.substring("local[".length(), master.length() - 1).split(",")[0].strip();
    if (threads.equals("*")) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      return Math.max(0, Integer.parseInt(threads));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Runs {@code work} on every partition and leaves partition p's result in {@code out[p]};
   * starts the job first when none runs (or the last one made way for another job).
   */
  void run(Work work, Object[] out) {
    while (true) {
      if (job != null && job.isCompleted()) {
        end();  // failed in an earlier round (rethrown then), or killed since (rethrown now)
      }
      if (job == null) {
        start();
      }
      Exchange x = exchange;
      synchronized (x) {
        if (!x.ended) {
          x.round++;
          x.work = work;
          Arrays.fill(x.results, null);
          x.remaining = partitionCount;
          x.notifyAll();
          while (x.remaining > 0) {
            failIfJobEnded();
            waitOn(x);
          }
          System.arraycopy(x.results, 0, out, 0, partitionCount);
          x.work = null;
          x.notifyAll();  // tasks may now make way for a job that started during the round
          return;
        }
      }
      end();  // it made way for another job: wait for it to end, then start anew
    }
  }

  /**
   * Ends the job, so the task slots are free for other jobs; the next round starts a new one.
   * Rethrows the job's failure only when no round saw it (its tasks were killed between rounds).
   */
  void end() {
    if (job == null) {
      return;
    }
    Exchange x = exchange;
    try {
      synchronized (x) {
        x.ended = true;
        x.notifyAll();
      }
      while (!job.isCompleted()) {
        synchronized (x) {
          waitOn(x);
        }
      }
      if (!x.failureSeen) {
        failIfJobEnded();
      }
    } finally {
      sc.sc().removeSparkListener(listener);
      OPEN.remove(x.id);
      job = null;
      exchange = null;
      listener = null;
    }
  }

  private void start() {
    Exchange x = new Exchange(NEXT_ID.incrementAndGet(), partitionCount);
    OPEN.put(x.id, x);
    listener = new OtherJobs(x);
    sc.sc().addSparkListener(listener);
    exchange = x;
    String before = sc.getLocalProperty(JOB_PROPERTY);
    sc.setLocalProperty(JOB_PROPERTY, Long.toString(x.id));
    try {
      job = sc.sc().submitJob(shards, new ResidentTask(x.id), partitions, new Discard(), new Unit());
    } finally {
      sc.setLocalProperty(JOB_PROPERTY, before);
    }
  }

  /** Throws the job's failure (once it ended), or says it ended while a round waited for it. */
  private void failIfJobEnded() {
    if (!job.isCompleted()) {
      return;
    }
    Try<BoxedUnit> outcome = job.value().get();
    if (outcome.isFailure()) {
      exchange.failureSeen = true;
      throw ResidentJob.<RuntimeException>unchecked(outcome.failed().get());
    }
    if (exchange.work != null) {
      throw new IllegalStateException("the resident Spark job ended during a round");
    }
  }

  /** Throws {@code t} as it is (Spark's exceptions are checked in Java terms, as from runJob). */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E unchecked(Throwable t) throws E {
    throw (E) t;
  }

  /** The driver's wait for the tasks. */
  private static void waitOn(Object monitor) {
    try {
      monitor.wait(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the resident Spark tasks", e);
    }
  }

  /**
   * What the driver and the tasks share, guarded by its monitor: the round number and its work
   * (null between rounds), each partition's result and how many are still missing, whether the
   * job is over (ended by the driver, or making way for another job), and whether the driver has
   * seen its failure.
   */
  private static final class Exchange {
    final long id;
    long round;
    Work work;
    final Object[] results;
    int remaining;
    boolean ended;
    boolean failureSeen;
    /** Another job started in the context: the tasks make way between rounds. */
    boolean otherJobStarted;

    Exchange(long id, int partitions) {
      this.id = id;
      this.results = new Object[partitions];
    }
  }

  /**
   * Makes the resident tasks end their job when another job starts, so it can have their slots:
   * at once between rounds, else as soon as the round in progress is done.
   */
  private static final class OtherJobs extends SparkListener {
    private final Exchange x;

    OtherJobs(Exchange x) {
      this.x = x;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String id = start.properties() == null ? null : start.properties().getProperty(JOB_PROPERTY);
      if (!Long.toString(x.id).equals(id)) {
        synchronized (x) {
          x.otherJobStarted = true;
          x.notifyAll();
        }
      }
    }
  }

  /** A task's life: take its shard, then run each round's work on it until the job ends. */
  private static final class ResidentTask extends AbstractFunction1<Iterator<TokenShard>, BoxedUnit>
      implements Serializable {
    private final long id;

    ResidentTask(long id) {
      this.id = id;
    }

    @Override
    public BoxedUnit apply(Iterator<TokenShard> shards) {
      Exchange x = OPEN.get(id);
      if (x == null) {
        throw new IllegalStateException("resident job " + id + " is not open in this JVM: resident"
            + " tasks need to run in the driver's JVM (local mode)");
      }
      TaskContext context = TaskContext.get();
      TokenShard shard = shards.next();
      int p = context.partitionId();
      long done = 0;
      while (true) {
        Work work;
        long round;
        synchronized (x) {
          while (!x.ended && (x.round == done || x.work == null)) {
            if (x.otherJobStarted && x.work == null) {
              x.ended = true;  // make way; the driver's next round starts a new job
              x.notifyAll();
              break;
            }
            awaitRound(x, context);
          }
          if (x.ended) {
            return BoxedUnit.UNIT;
          }
          work = x.work;
          round = x.round;
        }
        Object result = work.apply(context, Iterator$.MODULE$.single(shard));
        synchronized (x) {
          x.results[p] = result;
          x.remaining--;
          x.notifyAll();
        }
        done = round;
      }
    }
  }

  /** A task's wait for the next round; a killed task (its job cancelled, say) leaves it. */
  private static void awaitRound(Exchange x, TaskContext context) {
    if (context.isInterrupted()) {
      throw new TaskKilledException(context.getKillReason().isDefined() ? context.getKillReason().get() : "killed");
    }
    try {
      x.wait(POLL_MILLIS);
    } catch (InterruptedException e) {
      throw new TaskKilledException("interrupted");
    }
  }

  /** The job's per-partition results: there are none. */
  private static final class Discard extends AbstractFunction2<Object, BoxedUnit, BoxedUnit>
      implements Serializable {
    @Override
    public BoxedUnit apply(Object partition, BoxedUnit nothing) {
      return BoxedUnit.UNIT;
    }
  }

  private static final class Unit extends AbstractFunction0<BoxedUnit> implements Serializable {
    @Override
    public BoxedUnit apply() {
      return BoxedUnit.UNIT;
    }
  }
}
