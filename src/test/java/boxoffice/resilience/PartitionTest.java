package boxoffice.resilience;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.Load;
import boxoffice.testing.LoopbackCluster;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master is cut off from the rest of the cluster while buyers hold, confirm and cancel on events of
 * every master, and the service still reaches it: it goes on taking writes until it finds itself in
 * the minority, its replica is promoted meanwhile, and when the partition heals it rejoins as a
 * replica, dropping what only it had. Holds it acknowledged in that window are lost (counted and
 * reported here); confirmed sales never are, since a confirm waits for a replica (WAIT), and a lost
 * hold reads as not found and cannot be confirmed. Run without and with {@code min-replicas-to-write},
 * which makes the master refuse writes once its replica stops acknowledging.
 */
@ExtendWith(VertxExtension.class)
class PartitionTest {

  /** How long the partition lasts after the promotion: the service meets both masters meanwhile. */
  private static final long AFTER_PROMOTION_MS = 3000;
  /**
   * {@code min-replicas-max-lag} (s) where {@code min-replicas-to-write} is on: replicas acknowledge
   * every second, and no master with a healthy replica refused a write at 1 in these runs.
   */
  private static final int MAX_LAG_S = 1;
  /** The tests' node timeout; {@code -Dboxoffice.partition.nodeTimeoutMs=5000} measures at the lab's. */
  private static final int NODE_TIMEOUT_MS = Integer.getInteger("boxoffice.partition.nodeTimeoutMs",
    LoopbackCluster.NODE_TIMEOUT_MS);

  private static LoopbackCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    // a rule as a run that died mid-partition leaves it (between two addresses no node has): the
    // next start must delete it
    String stale = "-s 127.0.2.250 -d 127.0.2.251 -m comment --comment boxoffice-test-partition-1 -j DROP";
    List<String> insert = new ArrayList<>(List.of(LoopbackCluster.iptables(), "-I", "INPUT"));
    insert.addAll(List.of(stale.split(" ")));
    assertEquals(0, new ProcessBuilder(insert).inheritIO().start().waitFor(), "a stale rule inserted");
    cluster = LoopbackCluster.start(false, NODE_TIMEOUT_MS);
    assertTrue(LoopbackCluster.taggedRules().isEmpty(), "the start removed the rules left behind: "
      + LoopbackCluster.taggedRules());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      Path dir = cluster.dir();
      cluster.close();
      assertTrue(cluster.rulesInPlace().isEmpty(), "no rule left behind: " + cluster.rulesInPlace());
      assertFalse(Files.exists(dir), "the cluster's folder is deleted");
    }
  }

  @AfterEach
  void heal() {
    cluster.heal();
    cluster.configSet("min-replicas-to-write", "0");
  }

  /**
   * {@code firstSeed}: the node cut off is the first of the service's seeds. The client reads its
   * slot map from the first seed that answers, and a node cut off still answers, with the map it had
   * before the promotion: the service then keeps sending the shard's calls to it until the partition
   * heals. Otherwise it is the last seed, and the service follows the promotion.
   */
  @ParameterizedTest(name = "min-replicas-to-write {0}, the node cut off the first seed: {1}")
  @CsvSource({"0, false", "1, false", "0, true"})
  void aMasterCutOffFromTheClusterLosesOnlyHolds(int minReplicasToWrite, boolean firstSeed, Vertx vertx)
    throws Exception {
    cluster.configSet("min-replicas-max-lag", String.valueOf(MAX_LAG_S));
    cluster.configSet("min-replicas-to-write", String.valueOf(minReplicasToWrite));
    String prefix = "part" + minReplicasToWrite + (firstSeed ? "f" : "l");
    List<String> events = new ArrayList<>();
    for (int third = 0; third < 3; third++) {
      for (int i = 0; i < 2; i++) {
        events.add(TestCluster.eventIdInThird(prefix + i + "x", third));
      }
    }
    int slot = slotOf(events.get(0));
    int victim = cluster.masterOf(slot);
    List<String> cutOff = events.stream().filter(e -> cluster.masterOf(slotOf(e)) == victim).toList();
    JsonArray seeds = new JsonArray();
    for (int n = 1; n <= LoopbackCluster.NODES; n++) {
      if (n != victim) {
        seeds.add("redis://" + cluster.address(n));
      }
    }
    if (firstSeed) {
      seeds.getList().add(0, "redis://" + cluster.address(victim));
    } else {
      seeds.add("redis://" + cluster.address(victim));
    }
    JsonObject config = TestService.config(seeds, new JsonObject());
    config.getJsonObject("redis").put("confirmWaitMs", 300);
    Boxoffice app = TestService.start(vertx, config);
    Api api = new Api(vertx, app.httpPort());
    for (String event : events) {
      api.createEvent(event, 50, 100, 900);
    }
    // buyers who wait for their answers, and buyers who come every 20 ms whatever the others wait for
    Load buyers = Load.start(vertx, api, events, 16);
    Load paced = Load.paced(vertx, api, events, 20);
    List<Load> loads = List.of(buyers, paced);
    try {
      Thread.sleep(3000);
      long partition = System.currentTimeMillis();
      cluster.partition(victim, false);
      assertTrue(cluster.alive(victim), "clients still reach the node cut off");
      long promoted = Scenarios.awaitNewMaster(slot, victim, cluster::masterOf, 20_000);
      assertTrue(cluster.flaggedFailed(victim), "the others flag the node cut off as failed");
      assertTrue(cluster.alive(victim), "clients still reach it once its replica is promoted");
      Thread.sleep(AFTER_PROMOTION_MS);
      long heal = System.currentTimeMillis();
      cluster.heal();
      assertTrue(cluster.rulesInPlace().isEmpty(), "no rule left: " + cluster.rulesInPlace());
      cluster.awaitSyncedReplica(victim);
      long rejoined = System.currentTimeMillis();
      Thread.sleep(3000);
      loads.forEach(Load::stop);

      Map<String, EventState> states = new HashMap<>();
      for (String event : events) {
        states.put(event, EventState.read(vertx, cluster.address(cluster.masterOf(slotOf(event))), event));
      }
      List<Load.Hold> holds = loads.stream().flatMap(l -> l.holds().stream()).toList();
      List<Load.Hold> lost = holds.stream()
        .filter(h -> !states.get(h.eventId()).reservations().containsKey(h.reservationId())).toList();
      long acknowledgedMeanwhile = holds.stream()
        .filter(h -> cutOff.contains(h.eventId()) && h.end() >= partition && h.start() <= heal).count();
      long rateBefore = holds.stream()
        .filter(h -> cutOff.contains(h.eventId()) && h.end() >= partition - 2000 && h.end() < partition).count() / 2;
      List<Load.Call> cutOffCalls = loads.stream()
        .flatMap(l -> l.calls(c -> cutOff.contains(c.eventId()) && c.end() >= partition).stream()).toList();
      List<Load.Call> otherCalls = loads.stream()
        .flatMap(l -> l.calls(c -> !cutOff.contains(c.eventId())).stream()).toList();
      long lastLost = lost.stream().mapToLong(Load.Hold::end).max().orElse(partition);
      long firstRefusal = cutOffCalls.stream().filter(c -> c.op().equals("hold") && c.status() == 503)
        .mapToLong(Load.Call::end).min().orElse(-1);
      long servedAgain = paced.calls(c -> cutOff.contains(c.eventId()) && c.status() == 201 && c.start() >= promoted)
        .stream().mapToLong(Load.Call::end).min().orElse(-1);
      long slowest = cutOffCalls.stream().mapToLong(c -> c.end() - c.start()).max().orElse(0);
      System.out.printf("partition (node timeout %d ms, min-replicas-to-write %d, max-lag %d s, the node cut off the"
          + " %s seed): node %d cut off while its shard took %d holds a second; replica promoted %d ms after the"
          + " cut, healed at %d ms, the old master a synced replica at %d ms; holds acknowledged on its shard during"
          + " the partition %d, lost %d, the last lost answered %d ms after the cut; its holds refused from %d ms,"
          + " served again from %d ms; slowest call %d ms; its shard from the cut on: %s; the other shards: %s%n",
        NODE_TIMEOUT_MS, minReplicasToWrite, MAX_LAG_S, firstSeed ? "first" : "last", victim, rateBefore,
        promoted - partition, heal - partition, rejoined - partition, acknowledgedMeanwhile, lost.size(),
        lastLost - partition, firstRefusal < 0 ? -1 : firstRefusal - partition,
        servedAgain < 0 ? -1 : servedAgain - partition, slowest, Load.summary(cutOffCalls), Load.summary(otherCalls));

      // a hold the cut-off master acknowledged and lost is not found by its buyer's confirm or cancel
      Set<String> lostIds = lost.stream().map(Load.Hold::reservationId).collect(Collectors.toSet());
      assertTrue(cutOffCalls.stream().allMatch(c -> c.ok() || (c.status() == 503 && "1".equals(c.retryAfter()))
          || (c.status() == 404 && lostIds.contains(c.reservationId()))),
        "the shard cut off answers, refuses with 503 and Retry-After, or does not find a lost hold: "
          + Load.summary(cutOffCalls));
      assertTrue(otherCalls.stream().allMatch(c -> c.ok() || c.status() == 503),
        "the other shards answer, or refuse with 503: " + Load.summary(otherCalls));
      assertTrue(lost.stream().allMatch(h -> cutOff.contains(h.eventId()) && h.end() >= partition && h.start() <= heal),
        "only holds on the shard cut off, acknowledged during the partition, are lost: " + lost);
      for (Load.Hold hold : lost) {
        HttpResponse<Buffer> read = api.get("/events/" + hold.eventId() + "/reservations/" + hold.reservationId()).await();
        assertEquals(404, read.statusCode(), "a lost hold reads as not found: " + read.bodyAsString());
        HttpResponse<Buffer> confirm = api.confirm(hold.eventId(), hold.reservationId(), hold.userId()).await();
        assertEquals(404, confirm.statusCode(), "a lost hold cannot be confirmed: " + confirm.bodyAsString());
      }
      for (Load load : loads) {
        assertFalse(load.sales().stream().anyMatch(s -> lostIds.contains(s.reservationId())), "no lost hold was sold");
        Scenarios.assertConsistent(states::get, load, events);
      }
      assertEquals("slave", cluster.role(victim), "the old master rejoined as a replica");
      if (minReplicasToWrite > 0) {
        // what min-replicas-to-write buys: the old master stops before its replica takes over...
        assertTrue(firstRefusal > 0 && firstRefusal < promoted, "the node cut off refused holds before the promotion");
        // ...and what it costs: the new master has no replica in sync until the old one is back
        assertTrue(servedAgain > heal, "the new master refused holds until the partition healed");
      } else if (!firstSeed) {
        assertTrue(servedAgain < heal, "the service follows the promotion while the partition lasts");
      }
      assertTrue(servedAgain > 0 && paced.calls(c -> cutOff.contains(c.eventId()) && c.status() == 201
        && c.start() >= rejoined).size() > 0, "its shard serves holds again after the partition");
    } finally {
      loads.forEach(Load::stop);
      api.close();
      app.close().await();
    }
  }

  private static int slotOf(String eventId) {
    return TestCluster.slot("{event:" + eventId + "}");
  }
}
