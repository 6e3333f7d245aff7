package dev.rnnlm.testutil;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server on 127.0.0.1 for the tests: S3Proxy with its in-memory store, in a JVM of its
 * own started from {@code target/s3proxy/s3proxy.jar} (copied there by {@code mvn verify}), which
 * checks AWS signatures against one access key. It holds one bucket, {@link #BUCKET}. Everything
 * lives under one directory, whose path also marks the server's process: {@link #close()} ends it.
 */
public final class S3Server implements AutoCloseable {
  public static final String BUCKET = "rnnlm-test";
  private static final String ACCESS_KEY = "rnnlm-access";
  private static final String SECRET_KEY = "rnnlm-secret";
  private static final String REGION = "us-east-1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ProcessGroup processes;
  private final Path log;
  private final int port;

  private S3Server(Path dir, int port) {
    this.processes = new ProcessGroup(dir.toString());
    this.log = dir.resolve("s3proxy.log");
    this.port = port;
  }

  /** Starts the server with its files under {@code dir} (an empty directory) and creates the bucket. */
  public static S3Server start(Path dir) throws IOException, InterruptedException {
    Path jar = Paths.get(System.getProperty("rnnlm.s3proxyJar", "target/s3proxy/s3proxy.jar")).toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " not found: mvn verify copies it (pre-integration-test)");
    }
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    dir = dir.toAbsolutePath();
    S3Server server = new S3Server(dir, port);
    try {
      Path properties = dir.resolve("s3proxy.properties");
      Files.writeString(properties, String.join("\n",
          "s3proxy.endpoint=" + server.endpoint(),
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + ACCESS_KEY,
          "s3proxy.credential=" + SECRET_KEY,
          "jclouds.provider=transient",
          "jclouds.identity=" + ACCESS_KEY,
          "jclouds.credential=" + SECRET_KEY,
          ""), StandardCharsets.UTF_8);
      List<String> cmd = ProcessGroup.javaCommand(List.of("-Xmx256m"), jar.toString(),
          "org.gaul.s3proxy.Main", List.of("--properties", properties.toString()));
      Process p = server.processes.start(new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(server.log.toFile()));
      server.awaitPort(p);
      try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(server.endpoint()))
          .region(Region.of(REGION)).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
          .build()) {
        s3.createBucket(b -> b.bucket(BUCKET));
      }
      return server;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** {@code s3a://BUCKET/key}. */
  public String uri(String key) {
    return "s3a://" + BUCKET + "/" + key;
  }

  /**
   * What an S3A client needs to reach this server, as Hadoop settings: the endpoint, path-style
   * addressing (no bucket name in the host), the region the request signatures name, the
   * access key through the provider that reads only these settings (no look-up of a cloud
   * machine's credentials over the network), and single deletes.
   */
  public Map<String, String> s3aSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("fs.s3a.endpoint", endpoint());
    s.put("fs.s3a.endpoint.region", REGION);
    s.put("fs.s3a.path.style.access", "true");
    s.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    s.put("fs.s3a.access.key", ACCESS_KEY);
    s.put("fs.s3a.secret.key", SECRET_KEY);
    // S3Proxy 2.7 refuses the CRC32 checksum header the AWS SDK puts on a bulk delete
    // (DeleteObjects, 501 NotImplemented): S3A then deletes object by object.
    s.put("fs.s3a.multiobjectdelete.enable", "false");
    return s;
  }

  /** A Hadoop configuration with {@link #s3aSettings()}. */
  public Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    s3aSettings().forEach(conf::set);
    return conf;
  }

  /** The server's output so far (for failure messages). */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private void awaitPort(Process p) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("S3Proxy exited with " + p.exitValue() + "\n" + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("S3Proxy not listening on " + endpoint() + " after " + START_TIMEOUT + "\n" + log());
  }

  @Override
  public void close() {
    processes.close();
  }
}
