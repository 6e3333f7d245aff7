package dev.rnnlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local file system without chmod processes leaves every file and directory with the
 * permissions Hadoop's own gives them, reads back what it wrote (checksums included), and is
 * what {@code fs.file.impl} names.
 */
class ForkFreeLocalFileSystemTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void everyPermissionModeIsSetAsHadoopsChmodSetsIt() throws IOException {
    ForkFreeLocalFileSystem.Raw ours = new ForkFreeLocalFileSystem.Raw();
    ours.initialize(java.net.URI.create("file:///"), new Configuration(false));
    LocalFileSystem hadoops = FileSystem.getLocal(new Configuration(false));
    java.nio.file.Path a = Files.createFile(dir.resolve("a"));
    java.nio.file.Path b = Files.createFile(dir.resolve("b"));
    for (int mode = 0; mode <= 0777; mode++) {
      FsPermission p = new FsPermission((short) mode);
      ours.setPermission(new Path(a.toUri()), p);
      hadoops.getRawFileSystem().setPermission(new Path(b.toUri()), p);
      assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(b)),
          PosixFilePermissions.toString(Files.getPosixFilePermissions(a)), String.format("mode %04o", mode));
    }
  }

  @Test
  void filesAndDirectoriesGetTheSamePermissionsAndContentsAsWithHadoopsLocalFileSystem() throws IOException {
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", ForkFreeLocalFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    FileSystem ours = new Path(dir.toUri()).getFileSystem(conf);
    assertInstanceOf(ForkFreeLocalFileSystem.class, ours);
    LocalFileSystem hadoops = FileSystem.newInstanceLocal(new Configuration(false));
    byte[] bytes = "checkpoint bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (FileSystem fs : new FileSystem[] {ours, hadoops}) {
      Path sub = new Path(dir.toUri().toString(), fs == ours ? "ours/d" : "hadoops/d");
      fs.mkdirs(sub);
      try (FSDataOutputStream out = fs.create(new Path(sub, "f.bin"), true)) {
        out.write(bytes);
      }
      try (var in = fs.open(new Path(sub, "f.bin"))) {
        assertArrayEquals(bytes, in.readAllBytes());
      }
    }
    for (String name : new String[] {"d", "d/f.bin", "d/.f.bin.crc"}) {
      assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("hadoops").resolve(name))),
          PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ours").resolve(name))), name);
    }
  }

  /**
   * A listing (and a file's status) gives the owner, group and permission Hadoop's own gives,
   * read without a process: every file's status already holds them when the listing returns.
   */
  @Test
  void listingsGiveHadoopsOwnersAndPermissionsReadInProcess() throws IOException {
    ForkFreeLocalFileSystem.Raw ours = new ForkFreeLocalFileSystem.Raw();
    ours.initialize(java.net.URI.create("file:///"), new Configuration(false));
    LocalFileSystem hadoops = FileSystem.getLocal(new Configuration(false));
    for (int mode : new int[] {0600, 0644, 0755, 0700, 0444, 0640}) {
      java.nio.file.Path f = Files.createFile(dir.resolve(String.format("f%04o", mode)));
      Files.setPosixFilePermissions(f, ForkFreeLocalFileSystem.Raw.posix((short) mode));
    }
    Files.createDirectories(dir.resolve("sub"));
    Path root = new Path(dir.toUri());
    org.apache.hadoop.fs.FileStatus[] listed = ours.listStatus(root);
    assertEquals(7, listed.length);
    for (org.apache.hadoop.fs.FileStatus s : listed) {
      if (!s.isDirectory()) {
        assertEquals(org.apache.hadoop.fs.FileStatus.class, s.getClass(),
            "a plain status, not one that starts ls -ld when asked: " + s.getPath());
      }
      org.apache.hadoop.fs.FileStatus theirs = hadoops.getRawFileSystem().getFileStatus(s.getPath());
      assertEquals(theirs.getPermission(), s.getPermission(), s.getPath().toString());
      assertEquals(theirs.getOwner(), s.getOwner(), s.getPath().toString());
      assertEquals(theirs.getGroup(), s.getGroup(), s.getPath().toString());
      assertEquals(theirs.isDirectory(), s.isDirectory(), s.getPath().toString());
      assertEquals(theirs.getLen(), s.getLen(), s.getPath().toString());
      assertEquals(s, ours.getFileStatus(s.getPath()));
      assertEquals(theirs.getPermission(), ours.getFileStatus(s.getPath()).getPermission());
    }
  }
}
