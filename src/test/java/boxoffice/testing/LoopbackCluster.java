package boxoffice.testing;

import io.vertx.core.json.JsonArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A Redis Cluster of its own for the tests of network partitions and of whole-cluster crashes: six
 * redis-server processes (masters 1-3, replicas 4-6 of them), each on its own loopback address
 * 127.0.2.1N, so that iptables can cut one node off from the others while clients, which connect
 * from 127.0.0.1, still reach it (DESIGN.md, section 10). The nodes announce those addresses, so
 * the service needs no address map.
 *
 * <p>The rules match addresses, not ports, so only one such cluster may exist on a machine at a
 * time: a lock file in the temporary directory makes a second one wait. Every rule carries the
 * comment {@code boxoffice-test-partition-PID} of the process that made it; {@link #heal} deletes
 * them, and so do {@link #close} and a shutdown hook. What a run that died left (its rules, nodes
 * and folder, listed in a state file beside the lock) the next start removes first.
 */
public final class LoopbackCluster implements AutoCloseable {

  public static final int NODES = 6;
  /** The tests' node timeout, as the shared test cluster's. */
  public static final int NODE_TIMEOUT_MS = 2000;
  private static final String SUBNET = "127.0.2.0/24";
  private static final String TAG = "boxoffice-test-partition-";
  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
  private static final Path LOCK = TMP.resolve("boxoffice-loopback-cluster.lock");
  /** The folder of the cluster that holds the lock, then the process id of each of its nodes, a line each. */
  private static final Path STATE = TMP.resolve("boxoffice-loopback-cluster.state");
  private static final long LOCK_WAIT_MS = 10 * 60_000;

  private final boolean persistent;
  private final int nodeTimeoutMs;
  private final int firstPort;
  private final Path dir;
  private final String iptables;
  private final FileChannel lockFile;
  private final FileLock lock;
  private final Process[] processes = new Process[NODES + 1];
  private final List<List<String>> rules = new ArrayList<>();
  private final List<Integer> partitioned = new ArrayList<>();
  private final Thread cleanupAtExit = new Thread(this::cleanUp, "loopback-cluster-cleanup");
  private boolean closed;

  private LoopbackCluster(boolean persistent, int nodeTimeoutMs, int firstPort, Path dir, String iptables,
                          FileChannel lockFile, FileLock lock) {
    this.persistent = persistent;
    this.nodeTimeoutMs = nodeTimeoutMs;
    this.firstPort = firstPort;
    this.dir = dir;
    this.iptables = iptables;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /**
   * Starts the cluster and waits until every slot is served and every replica is in sync. With
   * {@code persistent}, the nodes keep an append-only file (fsync every second, as the lab does), so
   * that they can all be killed and started again with their data.
   */
  public static LoopbackCluster start(boolean persistent) {
    return start(persistent, NODE_TIMEOUT_MS);
  }

  /** The same with another {@code cluster-node-timeout} (ms), e.g. the lab's, to measure what it changes. */
  public static LoopbackCluster start(boolean persistent, int nodeTimeoutMs) {
    FileChannel lockFile = null;
    LoopbackCluster cluster = null;
    try {
      FileLock lock = lock();
      lockFile = lock.channel();
      String iptables = iptables();
      removeLeftovers(iptables);
      cluster = new LoopbackCluster(persistent, nodeTimeoutMs, freePortRange(), Files.createTempDirectory("boxoffice-loopback"),
        iptables, lockFile, lock);
      Runtime.getRuntime().addShutdownHook(cluster.cleanupAtExit);
      cluster.create();
      return cluster;
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (cluster != null) {
        cluster.close();
      } else if (lockFile != null) {
        try {
          lockFile.close();
        } catch (IOException ignored) {
          // the lock goes with the channel
        }
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot start the loopback cluster: " + e.getMessage(), e);
    }
  }

  /**
   * The lock file, locked. Its holder deletes it when done, so a lock won on a file that is no
   * longer (or no longer the same file) at its path is let go and tried again.
   */
  private static FileLock lock() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
    while (true) {
      FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      Object opened = fileKey(LOCK);
      try {
        FileLock lock = channel.tryLock();
        if (lock != null && opened != null && opened.equals(fileKey(LOCK))) {
          return lock;
        }
      } catch (OverlappingFileLockException heldHere) {
        // another cluster of this process: it must be closed first, as one held elsewhere
      }
      channel.close();
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("another loopback cluster held " + LOCK + " for " + LOCK_WAIT_MS + " ms");
      }
      Thread.sleep(1000);
    }
  }

  private static Object fileKey(Path path) {
    try {
      return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (IOException gone) {
      return null;
    }
  }

  /** {@code iptables} as the system has it, or the legacy variant when that one cannot list rules. */
  public static String iptables() {
    for (String candidate : List.of("iptables", "iptables-legacy")) {
      try {
        exec(List.of(candidate, "-S", "INPUT"));
        return candidate;
      } catch (IllegalStateException unusable) {
        // not installed, or not allowed
      }
    }
    throw new IllegalStateException("iptables cannot list the INPUT chain: run scripts/require-iptables.sh, as root");
  }

  /** With the lock held, whatever a cluster of an earlier run left is stale: its rules, nodes and folder. */
  private static void removeLeftovers(String iptables) throws IOException {
    for (String rule : exec(List.of(iptables, "-S", "INPUT")).split("\n")) {
      if (rule.startsWith("-A INPUT ") && rule.contains("--comment " + TAG)) {
        List<String> delete = new ArrayList<>(List.of(iptables, "-D"));
        delete.addAll(List.of(rule.substring(3).split(" ")));
        exec(delete);
      }
    }
    if (Files.exists(STATE)) {
      List<String> lines = Files.readAllLines(STATE);
      for (String pid : lines.subList(Math.min(1, lines.size()), lines.size())) {
        Path cmdline = Path.of("/proc", pid.trim(), "cmdline");
        // a node rewrites its process title: "redis-server 127.0.2.11:PORT [cluster]"
        if (Files.exists(cmdline) && Files.readString(cmdline).contains("redis-server 127.0.2.1")) {
          try {
            exec(List.of("kill", "-KILL", pid.trim()));
          } catch (IllegalStateException goneMeanwhile) {
            // it ended by itself
          }
        }
      }
      if (!lines.isEmpty() && lines.get(0).contains("boxoffice-loopback")) {
        deleteTree(Path.of(lines.get(0)));
      }
      Files.delete(STATE);
    }
  }

  /** Consecutive client ports, each free on its node's address, whose bus ports (port + 10000) are free too. */
  private static int freePortRange() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = ThreadLocalRandom.current().nextInt(20000, 30000);
      if (IntStream.rangeClosed(1, NODES).allMatch(n -> free(host(n), first + n - 1) && free(host(n), first + n - 1 + 10000))) {
        return first;
      }
    }
    throw new IllegalStateException("no free port range for the loopback cluster");
  }

  private static boolean free(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static String host(int node) {
    return "127.0.2.1" + node;
  }

  public int port(int node) {
    return firstPort + node - 1;
  }

  public String address(int node) {
    return host(node) + ":" + port(node);
  }

  /** The seeds, as the service is configured with them: every node, at its own address. */
  public JsonArray nodes() {
    return new JsonArray(IntStream.rangeClosed(1, NODES).mapToObj(n -> "redis://" + address(n)).toList());
  }

  private void create() throws IOException, InterruptedException {
    for (int n = 1; n <= NODES; n++) {
      writeConf(n);
    }
    startAll();
    cli(1, "cluster", "addslotsrange", "0", "5460");
    cli(2, "cluster", "addslotsrange", "5461", "10922");
    cli(3, "cluster", "addslotsrange", "10923", "16383");
    for (int n = 2; n <= NODES; n++) {
      cli(n, "cluster", "meet", host(1), String.valueOf(port(1)));
    }
    await("every node to know every other", 30_000, () -> IntStream.rangeClosed(1, NODES)
      .allMatch(n -> cli(n, "cluster", "info").contains("cluster_known_nodes:" + NODES)));
    for (int n = 4; n <= NODES; n++) {
      cli(n, "cluster", "replicate", nodeId(n - 3));
    }
    awaitWhole();
  }

  private void writeConf(int n) throws IOException {
    Path nodeDir = dir.resolve(String.valueOf(n));
    Files.createDirectories(nodeDir);
    List<String> conf = new ArrayList<>(List.of(
      "port " + port(n),
      // its own address for clients and for the bus; without bind-source-addr the bus connections
      // leave from 127.0.0.1 and the handshake never completes
      "bind " + host(n),
      "bind-source-addr " + host(n),
      "cluster-announce-ip " + host(n),
      // protected mode refuses every source but 127.0.0.1: the replicas would never sync
      "protected-mode no",
      "dir " + nodeDir,
      "daemonize no",
      "logfile \"\"",
      "cluster-enabled yes",
      "cluster-config-file nodes.conf",
      "cluster-node-timeout " + nodeTimeoutMs,
      "cluster-require-full-coverage no",
      "cluster-allow-replica-migration no",
      "repl-diskless-sync-delay 0",
      "save \"\""));
    conf.addAll(persistent ? List.of("appendonly yes", "appendfsync everysec") : List.of("appendonly no"));
    Files.write(nodeDir.resolve("redis.conf"), conf);
  }

  /** Starts every node that is not running, with its configuration, identity and (when persistent) data. */
  public void startAll() throws IOException, InterruptedException {
    for (int n = 1; n <= NODES; n++) {
      if (processes[n] == null || !processes[n].isAlive()) {
        Path nodeDir = dir.resolve(String.valueOf(n));
        processes[n] = new ProcessBuilder("redis-server", nodeDir.resolve("redis.conf").toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()))
          .start();
      }
    }
    writeState();
    for (int n = 1; n <= NODES; n++) {
      int node = n;
      await("node " + n + " to answer", 30_000, () -> alive(node));
    }
  }

  private void writeState() throws IOException {
    List<String> lines = new ArrayList<>(List.of(dir.toString()));
    for (int n = 1; n <= NODES; n++) {
      if (processes[n] != null) {
        lines.add(String.valueOf(processes[n].pid()));
      }
    }
    Files.write(STATE, lines);
  }

  /** SIGKILLs every node at once (one kill call), as a power cut or an OOM killer would, and waits for them to die. */
  public void killAll() throws InterruptedException {
    List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
    for (int n = 1; n <= NODES; n++) {
      if (processes[n] != null && processes[n].isAlive()) {
        kill.add(String.valueOf(processes[n].pid()));
      }
    }
    exec(kill);
    for (int n = 1; n <= NODES; n++) {
      if (processes[n] != null && !processes[n].waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("node " + n + " survived SIGKILL");
      }
    }
  }

  /** Waits until every node says the cluster is ok and every replica is in sync with its master. */
  public void awaitWhole() throws InterruptedException {
    await("cluster_state:ok on every node", 60_000, () -> IntStream.rangeClosed(1, NODES)
      .allMatch(n -> cli(n, "cluster", "info").contains("cluster_state:ok")));
    await("every replica in sync", 60_000, () -> IntStream.rangeClosed(1, NODES)
      .allMatch(n -> role(n).equals("master") || cli(n, "info", "replication").contains("master_link_status:up")));
  }

  /** Runs redis-cli against node n (from 127.0.0.1, as clients connect); what it printed. */
  public String cli(int node, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", host(node), "-p", String.valueOf(port(node))));
    command.addAll(List.of(args));
    return exec(command);
  }

  /** Sets a configuration parameter on every node, as CONFIG SET does: until the node restarts. */
  public void configSet(String name, String value) {
    for (int n = 1; n <= NODES; n++) {
      String reply = cli(n, "config", "set", name, value).trim();
      if (!reply.equals("OK")) {
        throw new IllegalStateException("node " + n + ": config set " + name + " " + value + ": " + reply);
      }
    }
  }

  public boolean alive(int node) {
    try {
      return cli(node, "ping").trim().equals("PONG");
    } catch (IllegalStateException e) {
      return false;
    }
  }

  public String nodeId(int node) {
    return cli(node, "cluster", "myid").trim();
  }

  /** "master" or "slave", as the node itself says. */
  public String role(int node) {
    return cli(node, "role").lines().findFirst().orElse("").trim();
  }

  /**
   * The node that serves a slot, as the nodes that are not cut off see it (a node cut off keeps
   * claiming its slots): a master not flagged failing whose slots include it.
   */
  public int masterOf(int slot) {
    int observer = IntStream.rangeClosed(1, NODES).filter(n -> !partitioned.contains(n) && alive(n)).findFirst()
      .orElseThrow(() -> new IllegalStateException("no node to ask"));
    for (String line : cli(observer, "cluster", "nodes").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail") && TestCluster.claims(f, slot)) {
        return nodeOf(f[1]);
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** The node number of an address as CLUSTER NODES gives it: 127.0.2.13:PORT@BUS -> 3. */
  private static int nodeOf(String address) {
    String host = address.substring(0, address.indexOf(':'));
    return Integer.parseInt(host.substring("127.0.2.1".length()));
  }

  /** Waits until the node is a replica in sync with its master. */
  public void awaitSyncedReplica(int node) throws InterruptedException {
    await("node " + node + " to be a synced replica", 60_000,
      () -> role(node).equals("slave") && cli(node, "info", "replication").contains("master_link_status:up"));
  }

  /** Whether an observer that is not cut off flags the node as failed. */
  public boolean flaggedFailed(int node) {
    int observer = IntStream.rangeClosed(1, NODES).filter(n -> n != node && !partitioned.contains(n)).findFirst().orElseThrow();
    String id = nodeId(node);
    return cli(observer, "cluster", "nodes").lines()
      .anyMatch(line -> line.startsWith(id + " ") && line.split(" ")[2].contains("fail") && !line.split(" ")[2].contains("fail?"));
  }

  /**
   * Cuts node n off from every other node, in both directions, on every port (the replication link
   * too), or on the cluster bus alone ({@code busOnly}: replication goes on). Clients, which connect
   * from 127.0.0.1, still reach it.
   */
  public void partition(int node, boolean busOnly) {
    List<String> ports = busOnly
      ? List.of("-p", "tcp", "--dport", (port(1) + 10000) + ":" + (port(NODES) + 10000))
      : List.of();
    List<String> out = new ArrayList<>(List.of("-s", host(node), "-d", SUBNET));
    List<String> in = new ArrayList<>(List.of("-s", SUBNET, "-d", host(node)));
    for (List<String> match : List.of(out, in)) {
      List<String> rule = new ArrayList<>(match);
      rule.addAll(ports);
      rule.addAll(List.of("-m", "comment", "--comment", TAG + ProcessHandle.current().pid(), "-j", "DROP"));
      List<String> insert = new ArrayList<>(List.of(iptables, "-I", "INPUT"));
      insert.addAll(rule);
      synchronized (rules) {
        exec(insert);
        rules.add(rule);
      }
    }
    partitioned.add(node);
  }

  /** Deletes every rule this cluster made: the nodes reach each other again. */
  public void heal() {
    synchronized (rules) {
      for (List<String> rule : List.copyOf(rules)) {
        List<String> delete = new ArrayList<>(List.of(iptables, "-D", "INPUT"));
        delete.addAll(rule);
        exec(delete);
        rules.remove(rule);
      }
    }
    partitioned.clear();
  }

  /** Every rule in the INPUT chain that a loopback cluster made, of this process or any other. */
  public static List<String> taggedRules() {
    return exec(List.of(iptables(), "-S", "INPUT")).lines().filter(rule -> rule.contains("--comment " + TAG)).toList();
  }

  /** The rules of this process in the INPUT chain, as iptables lists them (none once healed). */
  public List<String> rulesInPlace() {
    return exec(List.of(iptables, "-S", "INPUT")).lines()
      .filter(rule -> rule.contains("--comment " + TAG + ProcessHandle.current().pid())).toList();
  }

  public Path dir() {
    return dir;
  }

  /** Heals, stops every node, deletes the folder (data included) and lets the next cluster start. */
  @Override
  public void close() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs, or ran, anyway
    }
  }

  private synchronized void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    try {
      heal();
    } catch (RuntimeException e) {
      failures.add(e);
    }
    for (int n = 1; n <= NODES; n++) {
      if (processes[n] != null) {
        processes[n].destroyForcibly();
        try {
          processes[n].waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    try {
      deleteTree(dir);
      Files.deleteIfExists(STATE);
      Files.deleteIfExists(LOCK); // while still held: a waiter that locks the old file tries again
      lock.release();
      lockFile.close();
    } catch (IOException e) {
      failures.add(new UncheckedIOException(e));
    }
    if (!failures.isEmpty()) {
      IllegalStateException failed = new IllegalStateException("the loopback cluster was not cleaned up whole");
      failures.forEach(failed::addSuppressed);
      throw failed;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** Polls a condition every 100 ms; fails after {@code timeoutMs}. */
  public static void await(String what, long timeoutMs, java.util.function.BooleanSupplier condition)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      boolean met;
      try {
        met = condition.getAsBoolean();
      } catch (IllegalStateException notYet) {
        met = false; // a node that does not answer yet
      }
      if (met) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static String exec(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
