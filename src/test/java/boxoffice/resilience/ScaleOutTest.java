package boxoffice.resilience;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.Load;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spare nodes take slots while buyers keep buying, then give them back and leave: slots move
 * under the service's feet (MOVED, ASK, TRYAGAIN, new masters without the scripts), and it finds the
 * new masters without a restart.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class ScaleOutTest {

  private static final int SPARE_A = 7;
  private static final int SPARE_B = 8;
  private TestCluster cluster;

  /** The spares come back as empty masters, whatever the test left. */
  @AfterEach
  void restoreSpares() {
    for (int spare : List.of(SPARE_A, SPARE_B)) {
      if (!cluster.alive(spare) || !cluster.cli(spare, "cluster", "info").contains("cluster_known_nodes:8")) {
        cluster.spare(spare);
      }
    }
  }

  @Test
  void sparesTakeSlotsUnderLoadAndGiveThemBack(Vertx vertx, TestCluster cluster) throws Exception {
    this.cluster = cluster;
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    // rebalancing moves the lowest slots of each master first: these events are among them
    List<String> events = new ArrayList<>();
    for (int first : List.of(0, 5461, 10923)) {
      for (int i = 0; i < 2; i++) {
        String id = TestCluster.eventIdInSlots("scale" + i + "x", first, first + 400);
        api.createEvent(id, 20, 100, 900);
        events.add(id);
      }
    }
    String seed = "127.0.0.1:" + cluster.port(cluster.masters().get(0));
    Load load = Load.start(vertx, api, events, 32);
    try {
      Thread.sleep(1000);
      long start = System.currentTimeMillis();
      cluster.clusterTool("rebalance", seed, "--cluster-use-empty-masters", "--cluster-yes");
      long scaledOut = System.currentTimeMillis();
      Set<String> moved = events.stream()
        .filter(e -> Set.of(SPARE_A, SPARE_B).contains(cluster.masterOf(TestCluster.slot("{event:" + e + "}"))))
        .collect(Collectors.toSet());
      assertTrue(!moved.isEmpty(), "events moved to the new masters");
      Thread.sleep(1000);
      List<Load.Call> onNewMasters = load.calls(c -> c.start() > scaledOut && moved.contains(c.eventId()));
      assertTrue(onNewMasters.stream().anyMatch(Load.Call::ok), "the new masters serve without a restart");

      cluster.clusterTool("rebalance", seed, "--cluster-weight", cluster.nodeId(SPARE_A) + "=0",
        cluster.nodeId(SPARE_B) + "=0", "--cluster-yes");
      for (int spare : List.of(SPARE_A, SPARE_B)) {
        cluster.clusterTool("del-node", seed, cluster.nodeId(spare));
      }
      long scaledIn = System.currentTimeMillis();
      Thread.sleep(1000);
      load.stop();

      List<Load.Call> calls = load.calls(c -> c.start() >= start);
      long unavailable = calls.stream().filter(c -> c.status() == 503).count();
      long others = calls.stream().filter(c -> !c.ok() && c.status() != 503).count();
      System.out.printf("scale out in %d ms, back in %d ms: %s; while scaling out: %s%n", scaledOut - start,
        scaledIn - scaledOut, Load.summary(calls), Load.summary(load.calls(c -> c.start() >= start && c.start() < scaledOut)));
      load.calls(c -> c.start() >= start && !c.ok()).stream().limit(40).forEach(c -> System.out.printf(
        "  %d ms %s %s %d %s%n", c.start() - start, c.eventId(), c.op(), c.end() - c.start(), c.detail()));
      assertEquals(0, others, "only retryable refusals");
      assertTrue(unavailable * 1000 <= calls.size(), "under 0.1 % of requests refused: " + unavailable);
      Scenarios.assertConsistent(vertx, cluster, load, events);
    } finally {
      load.stop();
      api.close();
      app.close().await();
    }
  }
}
