package dev.rnnlm.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system (checksums included) whose permissions are set through
 * {@code java.nio} instead of a {@code chmod} process. Without Hadoop's native library,
 * {@link RawLocalFileSystem} starts a {@code chmod} for every file it creates and every directory
 * it makes: twelve per checkpoint (six files and their .crc), which took about a fifth of a
 * 500-epoch run of the book's table on two cores. The commands set this class as
 * {@code fs.file.impl} ({@code spark.hadoop.fs.file.impl}) unless one is configured.
 */
public final class ForkFreeLocalFileSystem extends LocalFileSystem {
  public ForkFreeLocalFileSystem() {
    super(new Raw());
  }

  /** The raw local file system with the permission change done in-process. */
  static final class Raw extends RawLocalFileSystem {
    private static final PosixFilePermission[] BITS = {  // from 0400 down to 0001
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};

    /**
     * Sets the nine permission bits in-process; a sticky bit, or a file system without POSIX
     * permissions, goes Hadoop's way.
     */
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      short mode = permission.toShort();
      if ((mode & ~0777) != 0) {
        super.setPermission(p, permission);
        return;
      }
      try {
        Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(mode));
      } catch (UnsupportedOperationException e) {
        super.setPermission(p, permission);
      }
    }

    static Set<PosixFilePermission> posix(short mode) {
      Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
      for (int i = 0; i < BITS.length; i++) {
        if ((mode & (0400 >> i)) != 0) {
          set.add(BITS[i]);
        }
      }
      return set;
    }
  }
}
