package boxoffice.resilience;

import boxoffice.testing.Api;
import boxoffice.testing.Load;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.ServiceProcess;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar on machines of many cores, as the JVM reports them ({@code -XX:ActiveProcessorCount}):
 * one event loop and one cluster connection per core, each holding a socket to every node, and a
 * replacement of each after a node fails. It must start, serve, ride out a failover and a node
 * restart; and when it cannot get a connection at all, say so in one line and exit.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class CoreCountIT {

  @ParameterizedTest(name = "{0} cores")
  @ValueSource(ints = {32, 64})
  void servesThroughAFailoverAndANodeRestart(int cores, Vertx vertx, TestCluster cluster) throws Exception {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("http").remove("instances"); // the default: one per core
    try (ServiceProcess service = ServiceProcess.start(config, List.of("-XX:ActiveProcessorCount=" + cores))) {
      service.awaitReady(Duration.ofSeconds(60));
      assertTrue(service.log().contains("(" + cores + " event loops)"), "one event loop per core:\n" + service.log());
      Api api = new Api(vertx, service.port());
      List<String> events = new ArrayList<>();
      for (int third = 0; third < 3; third++) {
        String id = TestCluster.eventIdInThird("cores" + cores + "x", third);
        api.createEvent(id, 50, 100, 900);
        events.add(id);
      }
      int slot = TestCluster.slot("{event:" + events.get(0) + "}");
      int victim = cluster.masterOf(slot);
      Load load = Load.start(vertx, api, events, 16);
      try {
        Thread.sleep(2000);
        cluster.kill(victim);
        long promoted = Scenarios.awaitNewMaster(cluster, slot, victim, 15_000);
        cluster.restart(victim);
        cluster.awaitSyncedReplica(victim);
        Thread.sleep(2000);
        load.stop();

        List<Load.Call> healthy = load.calls(c -> !c.eventId().equals(events.get(0)));
        List<Load.Call> failedShard = load.calls(c -> c.eventId().equals(events.get(0)));
        System.out.printf("%d cores: healthy shards %s; failed shard %s%n", cores, Load.summary(healthy),
          Load.summary(failedShard));
        assertTrue(healthy.stream().allMatch(Load.Call::ok), "the healthy shards served every call: "
          + Load.summary(healthy));
        assertTrue(failedShard.stream().allMatch(c -> c.ok() || c.status() == 503),
          "the failed shard answered or refused with 503: " + Load.summary(failedShard));
        assertTrue(failedShard.stream().anyMatch(c -> c.ok() && c.start() > promoted),
          "the failed shard served again after the promotion: " + Load.summary(failedShard));
        Scenarios.assertConsistent(vertx, cluster, load, events);
      } finally {
        load.stop();
        api.close();
      }
    }
  }

  @Test
  void exitsWithOneClearLineWhenTheClusterDoesNotAnswer(TestCluster cluster) throws Exception {
    // a node that takes connections and never answers: the client would wait for it for ever
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.start();
      JsonObject config = TestService.config(cluster);
      config.getJsonObject("redis").put("nodes", new JsonArray().add("redis://127.0.0.1:" + silent.getLocalPort()))
        .put("connectTimeoutMs", 500);
      try (ServiceProcess service = ServiceProcess.start(config, List.of())) {
        assertEquals(1, service.awaitExit(Duration.ofSeconds(30)), service.log());
        assertTrue(service.log().lines().anyMatch(line -> line.contains("failed to start")
            && line.contains("cannot connect to the Redis cluster") && line.contains("redis.connectTimeoutMs")),
          "one line says why:\n" + service.log());
      } finally {
        silent.close();
        for (Socket socket : accepted) {
          socket.close();
        }
      }
    }
  }
}
