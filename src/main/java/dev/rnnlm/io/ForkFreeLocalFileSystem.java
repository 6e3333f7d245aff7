package dev.rnnlm.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system (checksums included) whose permissions are set and read through
 * {@code java.nio} instead of a process. Without Hadoop's native library,
 * {@link RawLocalFileSystem} starts a {@code chmod} for every file it creates and every directory
 * it makes (twelve per checkpoint: six files and their .crc), and an {@code ls -ld} for every
 * file whose owner or permission is asked for, which listing an input directory does for each
 * file it finds: a directory of 10,000 files took about 50 s to list. The commands set this class as
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

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
      return withPosixAttributes(super.getFileStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
      FileStatus[] statuses = super.listStatus(f);
      for (int i = 0; i < statuses.length; i++) {
        statuses[i] = withPosixAttributes(statuses[i]);
      }
      return statuses;
    }

    /**
     * A file's status with its owner, group and nine permission bits read in-process. A
     * directory (whose sticky bit java.nio does not show), a symbolic link, a file system without
     * POSIX attributes or a file gone meanwhile keeps Hadoop's (lazy) status.
     */
    private FileStatus withPosixAttributes(FileStatus s) {
      if (s.isSymlink() || s.isDirectory()) {
        return s;
      }
      try {
        PosixFileAttributes a = Files.readAttributes(pathToFile(s.getPath()).toPath(),
            PosixFileAttributes.class);
        return new FileStatus(s.getLen(), s.isDirectory(), s.getReplication(), s.getBlockSize(),
            s.getModificationTime(), s.getAccessTime(), new FsPermission(mode(a.permissions())),
            a.owner().getName(), a.group().getName(), s.getPath());
      } catch (IOException | UnsupportedOperationException e) {
        return s;
      }
    }

    static short mode(Set<PosixFilePermission> permissions) {
      short mode = 0;
      for (int i = 0; i < BITS.length; i++) {
        if (permissions.contains(BITS[i])) {
          mode |= (short) (0400 >> i);
        }
      }
      return mode;
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
