package boxoffice.docker;

import boxoffice.Boxoffice;
import boxoffice.Config;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.impl.ZModem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Docker lab through Testcontainers: a Redis Cluster of one container per node (3 masters, 3
 * replicas) on a Testcontainers network, every node announcing its container address, and the
 * service deployed in-process with an address map from those addresses to the ports Docker
 * publishes on the host. Seeds are given as announced addresses too, so every socket the Redis
 * client opens must go through the map.
 *
 * <p>Image: {@code REDIS_IMAGE} (default the official {@code redis:7.4}). Skipped when no Docker engine
 * is available. Where no registry is reachable, run {@code scripts/docker-lab-check.sh} first (it
 * starts Docker and builds {@code boxoffice-redis:local}) and set {@code REDIS_IMAGE=boxoffice-redis:local
 * TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CHECKS_DISABLE=true TESTCONTAINERS_HOST_OVERRIDE=localhost}: Ryuk's
 * image and the startup checks' alpine cannot be pulled there either, and on a machine with a
 * {@code /.dockerenv} Testcontainers would run alpine to find the Docker host's address.
 */
@ExtendWith(DockerClusterTest.RequiresDocker.class)
class DockerClusterTest {

  static final String IMAGE = imageFromEnvironment();
  static final int MASTERS = 3;
  static final int NODES = 6;
  static final int PORT = 6379;

  private static Network network;
  private static final List<GenericContainer<?>> nodes = new ArrayList<>();
  private static final List<String> ips = new ArrayList<>();
  private static Vertx vertx;
  private static Boxoffice app;
  private static String base;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Disables the class, with a message saying why, where no Docker engine answers. */
  static final class RequiresDocker implements ExecutionCondition {
    private static final AtomicBoolean told = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      boolean available;
      try {
        available = DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException e) {
        throw new IllegalStateException("Docker answers, but Testcontainers cannot start its helper containers: "
          + e.getMessage() + ". Where no image registry is reachable, set TESTCONTAINERS_RYUK_DISABLED=true "
          + "TESTCONTAINERS_CHECKS_DISABLE=true TESTCONTAINERS_HOST_OVERRIDE=localhost", e);
      }
      if (available) {
        return ConditionEvaluationResult.enabled("Docker is available");
      }
      String reason = "skipped: no Docker engine is available; the Docker lab test needs one "
        + "(scripts/docker-lab-check.sh installs and starts it on Debian)";
      if (told.compareAndSet(false, true)) {
        System.out.println("DockerClusterTest " + reason);
      }
      return ConditionEvaluationResult.disabled(reason);
    }
  }

  private static String imageFromEnvironment() {
    String image = System.getenv("REDIS_IMAGE");
    return image == null || image.isBlank() ? "redis:7.4" : image.trim();
  }

  @BeforeAll
  static void startCluster() throws Exception {
    network = Network.newNetwork();
    for (int n = 1; n <= NODES; n++) {
      nodes.add(new GenericContainer<>(DockerImageName.parse(IMAGE))
        .withNetwork(network)
        .withNetworkAliases("redis-" + n)
        .withExposedPorts(PORT)
        .withCommand("redis-server", "--port", String.valueOf(PORT), "--cluster-enabled", "yes",
          "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
          "--appendonly", "no", "--save", "", "--protected-mode", "no", "--dir", "/data")
        .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1))
        .withStartupTimeout(Duration.ofSeconds(90)));
    }
    try {
      Startables.deepStart(nodes).join();
    } catch (CompletionException e) {
      throw new IllegalStateException("cannot start the Redis containers from image " + IMAGE
        + " (where no registry is reachable, build the local one with scripts/docker-lab-check.sh and set "
        + "REDIS_IMAGE=boxoffice-redis:local)", e.getCause());
    }
    for (GenericContainer<?> node : nodes) {
      ips.add(node.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
        .filter(net -> network.getId().equals(net.getNetworkID()))
        .map(ContainerNetwork::getIpAddress)
        .findFirst().orElseThrow(() -> new IllegalStateException("a node is not on the test network")));
    }
    createCluster();
    startService();
  }

  /** The lab's layout: nodes 1-3 masters with a third of the slots each, 4-6 their replicas. */
  private static void createCluster() {
    for (int n = 1; n <= NODES; n++) {
      // the address the node gives in CLUSTER SLOTS / MOVED: its container address, as in the compose lab
      cli(n, "config", "set", "cluster-announce-ip", ips.get(n - 1));
    }
    int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    for (int m = 1; m <= MASTERS; m++) {
      cli(m, "cluster", "addslotsrange", String.valueOf(ranges[m - 1][0]), String.valueOf(ranges[m - 1][1]));
    }
    for (int n = 2; n <= NODES; n++) {
      cli(n, "cluster", "meet", ips.get(0), String.valueOf(PORT));
    }
    await("every node to know the others", () -> allNodes().allMatch(n -> info(n, "cluster_known_nodes").equals("6")));
    for (int r = MASTERS + 1; r <= NODES; r++) {
      int replica = r;
      String masterId = cli(replica - MASTERS, "cluster", "myid");
      await("node " + replica + " to replicate node " + (replica - MASTERS),
        () -> cli(replica, "cluster", "replicate", masterId).contains("OK"));
    }
    await("cluster_state:ok", () -> allNodes().allMatch(n -> info(n, "cluster_state").equals("ok")));
    await("the replicas to sync", () -> Stream.of(4, 5, 6)
      .allMatch(n -> cli(n, "info", "replication").contains("master_link_status:up")));
  }

  private static void startService() throws Exception {
    JsonArray seeds = new JsonArray();
    JsonObject addressMap = new JsonObject();
    for (int n = 1; n <= NODES; n++) {
      GenericContainer<?> node = nodes.get(n - 1);
      String announced = ips.get(n - 1) + ":" + PORT;
      seeds.add("redis://" + announced);
      addressMap.put(announced, node.getHost() + ":" + node.getMappedPort(PORT));
    }
    JsonObject conf = new JsonObject()
      .put("http", new JsonObject().put("port", 0).put("instances", 1))
      .put("redis", new JsonObject().put("nodes", seeds).put("addressMap", addressMap).put("maxPoolSize", 8))
      .put("hold", new JsonObject().put("seconds", 900).put("maxSeatsPerHold", 10))
      .put("sweeper", new JsonObject().put("intervalMs", 1000));
    System.out.println("DockerClusterTest: image " + IMAGE + ", address map " + addressMap.encode());
    vertx = Vertx.vertx();
    app = Boxoffice.deploy(vertx, Config.fromJson(conf)).await(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + app.httpPort();
    await("the service to be ready", () -> call("GET", "/health/ready", null).status() == 200);
  }

  @AfterAll
  static void stopEverything() {
    if (app != null) {
      try {
        app.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.out.println("DockerClusterTest: the service did not close in 10 s: " + e);
      }
    }
    if (vertx != null) {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.out.println("DockerClusterTest: Vert.x did not close in 10 s: " + e);
      }
    }
    // without Ryuk (disabled where its image cannot be pulled) nothing else removes them
    nodes.forEach(GenericContainer::stop);
    if (network != null) {
      network.close();
    }
  }

  @Test
  void everyConnectionToTheContainersGoesThroughTheAddressMap() {
    for (int third = 0; third < MASTERS; third++) {
      String id = eventIdOnMaster("override", third);
      Response created = call("POST", "/events", event(id));
      assertEquals(201, created.status(), created.text());
      int master = third + 1;
      assertEquals("1", cli(master, "exists", "{event:" + id + "}"), "event " + id + " is stored on node " + master);
      Response hold = call("POST", "/events/" + id + "/reservations",
        new JsonObject().put("userId", "u" + third).put("quantity", 2));
      assertEquals(201, hold.status(), hold.text());
      assertEquals("pending", hold.json().getString("status"));
      Response counts = call("GET", "/events/" + id, null);
      assertEquals(8, counts.json().getInteger("available"));
      assertEquals(2, counts.json().getInteger("held"));
    }

    Response ready = call("GET", "/health/ready", null);
    assertEquals(200, ready.status(), ready.text());
    JsonObject counters = ready.json().getJsonObject("addressMap");
    System.out.println("DockerClusterTest: addressMap counters " + counters.encode());
    long connections = counters.getLong("connections");
    long remapped = counters.getLong("remapped");
    assertTrue(remapped >= NODES, "a connection to every node was remapped: " + counters.encode());
    assertEquals(connections, remapped, "every connection went through the address map: " + counters.encode());
  }

  @Test
  void createHoldConfirm() {
    String id = eventIdOnMaster("core", 1);
    Response created = call("POST", "/events", event(id));
    assertEquals(201, created.status(), created.text());
    assertEquals(10, created.json().getInteger("available"));

    Response hold = call("POST", "/events/" + id + "/reservations",
      new JsonObject().put("userId", "ann").put("seats", new JsonArray().add("A1").add("A2")));
    assertEquals(201, hold.status(), hold.text());
    assertEquals("pending", hold.json().getString("status"));
    String reservation = hold.json().getString("reservationId");

    Response taken = call("POST", "/events/" + id + "/reservations",
      new JsonObject().put("userId", "ben").put("seats", new JsonArray().add("A2").add("A3")));
    assertEquals(409, taken.status(), taken.text());

    Response confirmed = call("POST", "/events/" + id + "/reservations/" + reservation + "/confirm",
      new JsonObject().put("userId", "ann"));
    assertEquals(200, confirmed.status(), confirmed.text());
    assertEquals("confirmed", confirmed.json().getString("status"));

    JsonObject counts = call("GET", "/events/" + id, null).json();
    assertEquals(8, counts.getInteger("available"), counts.encode());
    assertEquals(0, counts.getInteger("held"), counts.encode());
    assertEquals(2, counts.getInteger("sold"), counts.encode());
  }

  private static JsonObject event(String id) {
    return new JsonObject().put("id", id).put("name", "Container night").put("venue", "Testcontainers hall")
      .put("price", 30).put("rows", 2).put("seatsPerRow", 5);
  }

  /** An unused event id whose hash slot is served by master {@code third + 1}. */
  private static String eventIdOnMaster(String prefix, int third) {
    String run = prefix + Long.toString(System.nanoTime(), 36);
    for (int i = 0; ; i++) {
      String id = run + "-" + i;
      if (ZModem.generate("{event:" + id + "}") * MASTERS / 16384 == third) {
        return id;
      }
    }
  }

  record Response(int status, String text) {
    JsonObject json() {
      return new JsonObject(text);
    }
  }

  private static Response call(String method, String path, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Stream<Integer> allNodes() {
    return Stream.iterate(1, n -> n <= NODES, n -> n + 1);
  }

  private static String info(int node, String field) {
    return cli(node, "cluster", "info").lines()
      .filter(line -> line.startsWith(field + ":"))
      .map(line -> line.substring(field.length() + 1).trim())
      .findFirst().orElse("");
  }

  /** redis-cli inside the node's own container. */
  private static String cli(int node, String... args) {
    String[] command = Stream.concat(Stream.of("redis-cli", "-p", String.valueOf(PORT)), Stream.of(args))
      .toArray(String[]::new);
    try {
      ExecResult result = nodes.get(node - 1).execInContainer(command);
      if (result.getExitCode() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " on node " + node + " exited with "
          + result.getExitCode() + ": " + result.getStdout() + result.getStderr());
      }
      return result.getStdout().replace("\r", "").trim();
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " on node " + node + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after 60 s waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
