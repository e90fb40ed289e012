package boxoffice.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service as its users run it: {@code java -jar target/boxoffice.jar -conf FILE} in a process of
 * its own, its output in a log file. Built by {@code mvn package}, so the tests that use it are
 * integration tests ({@code *IT}, run by failsafe after the jar is made).
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Path JAR = Path.of("target", "boxoffice.jar");

  private final Process process;
  private final Path log;
  private final Path out;
  private final int port;

  private ServiceProcess(Process process, Path log, Path out, int port) {
    this.process = process;
    this.log = log;
    this.out = out;
    this.port = port;
  }

  /** Starts the jar with {@code config} (written to a file) and the given JVM options; does not wait. */
  public static ServiceProcess start(JsonObject config, List<String> jvmOptions) throws IOException {
    Path dir = Files.createTempDirectory("boxoffice-process");
    Path log = dir.resolve("service.log");
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toString(), "-conf", conf(dir, config).toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ServiceProcess(process, log, log, config.getJsonObject("http").getInteger("port"));
  }

  /**
   * Starts the jar's event tail ({@code boxoffice.tools.EventTail}) with {@code config}: its stdout
   * (the events, a JSON object a line) in {@link #lines}, its stderr in {@link #log}.
   */
  public static ServiceProcess tail(JsonObject config) throws IOException {
    Path dir = Files.createTempDirectory("boxoffice-tail");
    Path log = dir.resolve("tail.log");
    Path out = dir.resolve("tail.jsonl");
    Process process = new ProcessBuilder(java(), "-cp", JAR.toString(), "boxoffice.tools.EventTail",
      "-conf", conf(dir, config).toString()).redirectError(log.toFile()).redirectOutput(out.toFile()).start();
    return new ServiceProcess(process, log, out, -1);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Path conf(Path dir, JsonObject config) throws IOException {
    Path conf = dir.resolve("conf.json");
    Files.writeString(conf, config.encodePrettily());
    return conf;
  }

  /** What a tail printed on stdout so far, a JSON object a line. */
  public List<JsonObject> lines() {
    try {
      return Files.readAllLines(out).stream().filter(line -> !line.isBlank()).map(JsonObject::new).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the log has a line that contains {@code text}. */
  public void awaitLog(String text, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!log().contains(text)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' in the log within " + within + ":\n" + log());
      }
      Thread.sleep(100);
    }
  }

  public int port() {
    return port;
  }

  /** Waits until {@code /health/ready} answers 200; fails with the process's log otherwise. */
  public void awaitReady(Duration within) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the service exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the service was not ready within " + within + ":\n" + log());
  }

  /** Waits for the process to end by itself; its exit code. */
  public int awaitExit(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the service did not exit within " + within + ":\n" + log());
    }
    return process.exitValue();
  }

  /** What the service printed so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL: the process dies at once, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, as an operator stops it; killed if it has not stopped within 20 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
