package boxoffice.resilience;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.Load;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master is SIGKILLed while buyers hold, confirm and cancel on events of all three masters: the
 * healthy shards keep serving, the failed one answers 503 fast and serves again soon after its
 * replica is promoted, and no confirmed sale is lost.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class FailoverTest {

  @Test
  void aMasterDiesUnderLoad(Vertx vertx, TestCluster cluster) throws Exception {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("redis").put("confirmWaitMs", 300);
    Boxoffice app = TestService.start(vertx, config);
    Api api = new Api(vertx, app.httpPort());
    List<String> events = new ArrayList<>();
    for (int third = 0; third < 3; third++) {
      for (int i = 0; i < 2; i++) {
        String id = TestCluster.eventIdInThird("fail" + i + "x", third);
        api.createEvent(id, 50, 100, 900);
        events.add(id);
      }
    }
    int slot = TestCluster.slot("{event:" + events.get(0) + "}");
    int victim = cluster.masterOf(slot);
    List<String> failedShard = events.subList(0, 2);
    Load load = Load.start(vertx, api, events, 32);
    try {
      Thread.sleep(2000);
      long kill = System.currentTimeMillis();
      cluster.kill(victim);
      long promoted = Scenarios.awaitNewMaster(cluster, slot, victim, 15_000);
      cluster.restart(victim); // back as a replica of the new master, so sales can be replicated again
      cluster.awaitSyncedReplica(victim);
      Thread.sleep(3000);
      load.stop();

      List<Load.Call> healthy = load.calls(c -> !failedShard.contains(c.eventId()));
      List<Load.Call> failed = load.calls(c -> failedShard.contains(c.eventId()) && c.start() >= kill);
      long firstSuccess = failed.stream().filter(c -> c.ok() && c.start() >= promoted)
        .mapToLong(Load.Call::end).min().orElseThrow(() -> new AssertionError("the failed shard never served again"));
      long slowestRefusal = failed.stream().filter(c -> c.status() == 503)
        .mapToLong(c -> c.end() - c.start()).max().orElse(0);
      System.out.printf("failover: healthy shards %s; failed shard after the kill %s; promoted %d ms after the kill;"
          + " first success %d ms after the kill, %d ms after the promotion; slowest 503 %d ms%n",
        Load.summary(healthy), Load.summary(failed), promoted - kill, firstSuccess - kill, firstSuccess - promoted,
        slowestRefusal);

      assertEquals(healthy.size(), healthy.stream().filter(Load.Call::ok).count(),
        "every call on the healthy shards succeeded: " + unexpected(healthy));
      assertTrue(failed.stream().allMatch(c -> c.ok() || (c.status() == 503 && "1".equals(c.retryAfter()))),
        "the failed shard answers 503 with Retry-After, nothing else: " + unexpected(failed));
      assertTrue(slowestRefusal < 3500, "refusals come fast, not after a hang: " + slowestRefusal + " ms");
      assertTrue(firstSuccess - promoted <= TestCluster.NODE_TIMEOUT_MS + 2000,
        "served again " + (firstSuccess - promoted) + " ms after the promotion");

      Scenarios.assertConsistent(vertx, cluster, load, events);
    } finally {
      load.stop();
      api.close();
      app.close().await();
    }
  }

  private static Map<Integer, Long> unexpected(List<Load.Call> calls) {
    return calls.stream().filter(c -> !c.ok()).collect(Collectors.groupingBy(Load.Call::status, Collectors.counting()));
  }
}
