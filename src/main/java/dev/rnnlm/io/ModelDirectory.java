package dev.rnnlm.io;

import dev.rnnlm.values.InvalidValueException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The directory a {@code train} run writes, guarded so that nothing a user trained is lost.
 *
 * <pre>
 * DIR/.lock          the one writer ({@link DirectoryLock})
 * DIR/.overwrite/    an --overwrite run's work: its checkpoints, metrics, plot and, at the
 *                    end, its model; the model already in DIR stays untouched meanwhile
 * DIR/.publishing    present while a finished --overwrite run's files move into DIR
 * DIR/logs/          one log per run (Spark's messages, stack traces of failures)
 * </pre>
 *
 * <p>Replacing a model: the new run trains in {@code .overwrite/}; at the end, creating
 * {@code .publishing} (one atomic write) is the switch. Then each file moves into DIR by rename,
 * {@code model.json} last. A reader that finds {@code .publishing} takes each model file from
 * {@code .overwrite/} while it is still there, and from DIR once it has moved ({@link
 * #modelFile}): before the switch it reads the old model whole, after it the new one whole. A
 * move interrupted by a crash is completed by the next writer ({@link #prepare}).
 */
public final class ModelDirectory {
  public static final String STAGING = ".overwrite";
  public static final String PUBLISHING = ".publishing";
  public static final String LOGS = "logs";
  /** What a published model consists of, in the order it is replaced: model.json last. */
  private static final List<String> PUBLISHED = List.of(CheckpointStore.DIR, ModelStore.METRICS_FILE,
      ModelStore.VALIDATION_FILE,
      TrainingPlot.FILE, ModelStore.PARAMS_FILE, ModelStore.TOKENIZER_FILE, ModelStore.VOCAB_FILE,
      ModelStore.MODEL_FILE);

  private final Configuration conf;
  private final String dir;
  private final Path root;
  private final FileSystem fs;

  public ModelDirectory(Configuration conf, String dir) throws IOException {
    this.conf = conf;
    this.dir = dir;
    this.root = new Path(dir);
    this.fs = root.getFileSystem(conf);
  }

  /**
   * Checks, before any work, that DIR is a directory this process can create and write: not a
   * file, no file in the way above it, a probe file can be written and deleted.
   *
   * @throws IllegalArgumentException naming the directory and what is wrong
   */
  public void requireWritable() throws IOException {
    for (Path p = root; p != null; p = p.getParent()) {
      if (fs.exists(p)) {
        if (!fs.getFileStatus(p).isDirectory()) {
          throw new InvalidValueException(p.equals(root)
              ? "{dir} " + dir + " is a file, not a directory"
              : "{dir} " + dir + " cannot be created: " + p + " is a file");
        }
        break;
      }
    }
    Path probe = new Path(root, ".probe-" + UUID.randomUUID());
    try {
      fs.mkdirs(root);
      try (FSDataOutputStream out = fs.create(probe, false)) {
        out.write(1);
      }
      fs.delete(probe, false);
    } catch (IOException e) {
      throw new InvalidValueException("{dir} " + dir + " is not writable: " + e.getMessage());
    }
  }

  /** Takes DIR's writer lock; see {@link DirectoryLock#acquire}. */
  public DirectoryLock lock(PrintStream log) throws IOException {
    return DirectoryLock.acquire(conf, dir, "model directory", log);
  }

  /**
   * Decides where this run writes, after completing an interrupted replacement. Holding the lock
   * is the caller's duty.
   *
   * <ul>
   *   <li>neither flag: DIR itself, refused when DIR holds a model or checkpoints;
   *   <li>{@code resume}: DIR itself, refused when DIR holds a model but no checkpoint (training
   *       again would replace the model without a way back);
   *   <li>{@code overwrite}: {@code DIR/.overwrite/}, emptied first unless {@code resume} is also
   *       given (then an interrupted replacement continues from its own checkpoints).
   * </ul>
   *
   * @return the directory the trainer writes its checkpoints, metrics and model into
   */
  public String prepare(boolean resume, boolean overwrite, PrintStream log) throws IOException {
    completeInterruptedReplacement(log);
    if (overwrite) {
      Path staging = new Path(root, STAGING);
      if (!resume) {
        fs.delete(staging, true);
      }
      fs.mkdirs(new Path(staging, CheckpointStore.DIR));
      return staging.toString();
    }
    boolean model = fs.exists(new Path(root, ModelStore.MODEL_FILE));
    boolean checkpoints = hasCheckpoints(root) || hasCheckpoints(new Path(root, STAGING));
    if (resume && model && !hasCheckpoints(root)) {
      throw new InvalidValueException("{resume}: model directory " + dir
          + " holds a model but no checkpoint to continue from; pass {overwrite} to train a new model in its place");
    }
    if (!resume && (model || checkpoints)) {
      throw new InvalidValueException("model directory " + dir + " already holds "
          + (model ? "a trained model" : "checkpoints of an unfinished run")
          + "; pass {resume} to continue its training or {overwrite} to replace it");
    }
    return dir;
  }

  /**
   * Makes the finished model in {@code DIR/.overwrite/} the model of DIR: the switch is the
   * atomic creation of {@code DIR/.publishing}; see the class comment.
   */
  public void publishReplacement() throws IOException {
    Path staging = new Path(root, STAGING);
    if (!fs.exists(new Path(staging, ModelStore.MODEL_FILE))) {
      throw new IOException("no finished model in " + staging + " to publish");
    }
    // Every published entry exists in the staging directory, so that the move below replaces
    // each of the old model's (a run without checkpoints must not leave the old ones behind).
    fs.mkdirs(new Path(staging, CheckpointStore.DIR));
    ModelStore.writeAtomically(fs, new Path(root, PUBLISHING), (STAGING + "\n").getBytes(StandardCharsets.UTF_8));
    moveStagedIntoPlace();
  }

  /** Finishes a replacement that a crash interrupted (see the class comment); a no-op otherwise. */
  void completeInterruptedReplacement(PrintStream log) throws IOException {
    if (fs.exists(new Path(root, PUBLISHING))) {
      log.println("completing the interrupted replacement of the model in " + dir);
      moveStagedIntoPlace();
    }
  }

  /** Idempotent: an entry no longer in the staging directory has already moved. */
  private void moveStagedIntoPlace() throws IOException {
    Path staging = new Path(root, STAGING);
    for (String name : PUBLISHED) {
      Path from = new Path(staging, name);
      Path to = new Path(root, name);
      if (fs.exists(from)) {
        fs.delete(to, true);
        if (!fs.rename(from, to)) {
          throw new IOException("cannot move " + from + " to " + to);
        }
      }
    }
    fs.delete(staging, true);
    fs.delete(new Path(root, PUBLISHING), false);
  }

  /**
   * The path to read a model file {@code name} from in the model directory {@code root}: during
   * a replacement, the staged file while it has not moved yet.
   */
  static Path modelFile(FileSystem fs, Path root, String name) throws IOException {
    if (fs.exists(new Path(root, PUBLISHING))) {
      Path staged = new Path(new Path(root, STAGING), name);
      if (fs.exists(staged)) {
        return staged;
      }
    }
    return new Path(root, name);
  }

  /** {@code path} as a local file when {@code fs} is the local file system, else null. */
  public static java.nio.file.Path localFile(FileSystem fs, Path path) {
    if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
      return null;
    }
    return java.nio.file.Path.of(fs.makeQualified(path).toUri());
  }

  private boolean hasCheckpoints(Path dir) throws IOException {
    return !new CheckpointStore(conf).list(dir.toString()).isEmpty();
  }
}
