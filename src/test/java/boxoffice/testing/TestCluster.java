package boxoffice.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.impl.ZModem;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A real Redis Cluster for the tests: the lab of scripts/cluster.sh (8 redis-server processes,
 * 3 masters with a replica each, 2 spares) on free ports in a temporary directory, never 7001-7008.
 * Its nodes announce hostnames nothing listens on (127.0.1.1N), so every test goes through the
 * address override. With BOXOFFICE_TEST_CLUSTER_PORT set, the tests use the lab already running
 * from that first port instead (started with --unreachable, as the tests expect; its CLUSTER_DIR in
 * BOXOFFICE_TEST_CLUSTER_DIR when not the default) and leave it up.
 */
public final class TestCluster implements AutoCloseable {

  public static final int NODES = 8;
  public static final int NODE_TIMEOUT_MS = 2000;

  private final int firstPort;
  private final Path dir;
  private final boolean owned;
  private final Set<Integer> killed = new LinkedHashSet<>();
  private final Set<Integer> paused = new LinkedHashSet<>();

  private TestCluster(int firstPort, Path dir, boolean owned) {
    this.firstPort = firstPort;
    this.dir = dir;
    this.owned = owned;
  }

  private static TestCluster shared;

  /**
   * The run's one cluster, whichever test engine asks first (JUnit Jupiter's tests through
   * {@link RedisClusterExtension}, jqwik's properties directly); stopped when the JVM exits.
   */
  public static synchronized TestCluster shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "test-cluster-down"));
    }
    return shared;
  }

  static TestCluster start() {
    String existing = System.getenv("BOXOFFICE_TEST_CLUSTER_PORT");
    if (existing != null && !existing.isBlank()) {
      String dir = System.getenv("BOXOFFICE_TEST_CLUSTER_DIR");
      return new TestCluster(Integer.parseInt(existing.trim()), dir == null ? null : Path.of(dir), false);
    }
    try {
      TestCluster cluster = new TestCluster(freePortRange(), Files.createTempDirectory("boxoffice-cluster"), true);
      cluster.script("up", "--unreachable");
      return cluster;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the test cluster", e);
    }
  }

  /** Eight free client ports whose bus ports (port + 10000) are free too. */
  private static int freePortRange() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = ThreadLocalRandom.current().nextInt(20000, 30000);
      if (IntStream.range(0, NODES).allMatch(i -> free(first + i) && free(first + i + 10000))) {
        return first;
      }
    }
    throw new IllegalStateException("no free port range for the test cluster");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int port(int node) {
    return firstPort + node - 1;
  }

  /** The seeds, as the service is configured with them: every node. */
  public JsonArray nodes() {
    return new JsonArray(IntStream.rangeClosed(1, NODES).mapToObj(n -> "redis://127.0.0.1:" + port(n)).toList());
  }

  /** The map from the announced (unreachable) hostnames back to loopback. */
  public JsonObject addressMap() {
    JsonObject map = new JsonObject();
    IntStream.rangeClosed(1, NODES).forEach(n -> map.put("127.0.1.1" + n, "127.0.0.1"));
    return map;
  }

  /** Runs redis-cli against node n; returns what it printed. */
  public String cli(int node, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port(node))));
    command.addAll(List.of(args));
    return run(command, null);
  }

  /** The node numbers that are masters with slots right now (they move after a failover). */
  public List<Integer> masters() {
    List<Integer> masters = new ArrayList<>();
    for (int node = 1; node <= NODES; node++) {
      if (alive(node)) {
        for (String line : cli(node, "cluster", "nodes").split("\n")) {
          String[] f = line.trim().split(" ");
          if (f.length > 8 && f[2].contains("myself") && f[2].contains("master")) {
            masters.add(node);
          }
        }
      }
    }
    return masters;
  }

  /** The node number of the master that serves a slot right now. */
  public int masterOf(int slot) {
    for (int node : masters()) {
      for (String line : cli(node, "cluster", "nodes").split("\n")) {
        String[] f = line.trim().split(" ");
        if (f.length > 8 && f[2].contains("myself") && claims(f, slot)) {
          return node;
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** Whether a line of CLUSTER NODES, split at spaces, claims the slot (migrating slots aside). */
  static boolean claims(String[] fields, int slot) {
    for (int i = 8; i < fields.length; i++) {
      if (fields[i].startsWith("[")) {
        continue;
      }
      String[] range = fields[i].split("-");
      int from = Integer.parseInt(range[0]);
      int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
      if (slot >= from && slot <= to) {
        return true;
      }
    }
    return false;
  }

  public boolean alive(int node) {
    try {
      return "PONG".equals(run(List.of("redis-cli", "-p", String.valueOf(port(node)), "ping"), null).trim());
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** Empties every master, so each test starts from an empty cluster. */
  public void flush() {
    for (int node : masters()) {
      cli(node, "flushall");
    }
  }

  /** Kills node n; after the test, {@link RedisClusterExtension} brings it back ({@link #restore}). */
  public void kill(int node) {
    killed.add(node);
    script("kill", String.valueOf(node));
  }

  /** Stalls node n (SIGSTOP): its sockets stay open, it answers nothing; resumed after the test at the latest. */
  public void pause(int node) {
    paused.add(node);
    script("pause", String.valueOf(node));
  }

  public void resume(int node) {
    paused.remove(node);
    script("resume", String.valueOf(node));
  }

  public void restart(int node) {
    script("start", String.valueOf(node));
  }

  /** Waits until the node is a replica in sync with its master. */
  public void awaitSyncedReplica(int node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (cli(node, "info", "replication").contains("master_link_status:up")) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("node " + node + " is not a synced replica");
  }

  /**
   * Resumes every paused node, brings every node killed since the last call back, and waits for those that are replicas now (a
   * killed master whose replica took over) to be in sync, so that the tests after find a whole cluster.
   */
  void restore() throws InterruptedException {
    for (int node : List.copyOf(paused)) {
      resume(node);
    }
    List<Integer> nodes = List.copyOf(killed);
    killed.clear();
    for (int node : nodes) {
      if (!alive(node)) {
        restart(node);
      }
      if (cli(node, "info", "replication").contains("role:slave")) {
        awaitSyncedReplica(node);
      }
    }
    if (!nodes.isEmpty()) {
      awaitAgreement();
    }
  }

  /**
   * Waits until every node has the same view of the slots and their masters, as redis-cli's cluster
   * check sees it: after a failover the nodes learn the new configuration by gossip, which a busy
   * machine slows, and a test after it that moves slots would find them disagreeing.
   */
  public void awaitAgreement() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        clusterTool("check", "127.0.0.1:" + port(masters().get(0)));
        return;
      } catch (IllegalStateException notYet) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("the nodes do not agree about the cluster's configuration: " + notYet.getMessage());
        }
      }
      Thread.sleep(200);
    }
  }

  /** Node n (re)joins as an empty master, as the spares 7 and 8 start. */
  public void spare(int node) {
    script("spare", String.valueOf(node));
  }

  /** Runs {@code redis-cli --cluster ...} (add-node, rebalance, reshard, del-node). */
  public String clusterTool(String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster"));
    command.addAll(List.of(args));
    return run(command, null);
  }

  public String nodeId(int node) {
    return cli(node, "cluster", "myid").trim();
  }

  /** An event id whose slot is in [from, to]. */
  public static String eventIdInSlots(String prefix, int from, int to) {
    for (int i = 0; ; i++) {
      String id = prefix + i;
      int slot = slot("{event:" + id + "}");
      if (slot >= from && slot <= to) {
        return id;
      }
    }
  }

  /** The hash slot of a key, as the cluster computes it. */
  public static int slot(String key) {
    return ZModem.generate(key);
  }

  /** An event id whose keys land in the given third of the slots (0, 1 or 2: one per lab master). */
  public static String eventIdInThird(String prefix, int third) {
    for (int i = 0; ; i++) {
      String id = prefix + i;
      if (slot("{event:" + id + "}") * 3 / 16384 == third) {
        return id;
      }
    }
  }

  private String script(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", "scripts/cluster.sh"));
    command.addAll(List.of(args));
    return run(command, dir);
  }

  private String run(List<String> command, Path clusterDir) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("CLUSTER_PORT", String.valueOf(firstPort));
    builder.environment().put("CLUSTER_NODE_TIMEOUT", String.valueOf(NODE_TIMEOUT_MS));
    // the tests flush and refill it all the time: no append-only file to write
    builder.environment().put("CLUSTER_PERSISTENCE", "no");
    if (clusterDir != null) {
      builder.environment().put("CLUSTER_DIR", clusterDir.toString());
    }
    try {
      Process process = builder.start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A replica of the master (node numbers), as the cluster has it now. */
  public int replicaOf(int master) {
    String masterId = nodeId(master);
    for (int node = 1; node <= NODES; node++) {
      if (node != master && alive(node)) {
        for (String line : cli(node, "cluster", "nodes").split("\n")) {
          String[] f = line.trim().split(" ");
          if (f.length > 3 && f[2].contains("myself") && f[2].contains("slave") && f[3].equals(masterId)) {
            return node;
          }
        }
      }
    }
    throw new AssertionError("node " + master + " has no replica");
  }

  @Override
  public void close() {
    List.copyOf(paused).forEach(this::resume);
    if (owned) {
      script("down", "--wipe");
    }
  }
}
