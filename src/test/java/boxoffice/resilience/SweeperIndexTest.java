package boxoffice.resilience;

import boxoffice.Boxoffice;
import boxoffice.store.EventStore;
import boxoffice.store.Keys;
import boxoffice.testing.Api;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first hold of an event asks for the event to be put in the sweeper's index; when that index
 * shard's master is down at that moment, the hold must still be released on time once the shard is
 * back, although nobody touches the event again (later holds would not ask again).
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class SweeperIndexTest {

  @Test
  void aHoldIndexedWhileItsIndexShardFailsOverIsStillReleased(Vertx vertx, TestCluster cluster) throws Exception {
    String eventId = null;
    int indexSlot = -1;
    for (int i = 0; eventId == null; i++) {
      String candidate = "swept" + i;
      int slot = TestCluster.slot(Keys.sweepShard(Keys.sweepShardOf(candidate, EventStore.SWEEP_SHARDS)));
      if (cluster.masterOf(slot) != cluster.masterOf(TestCluster.slot(Keys.event(candidate)))) {
        eventId = candidate;
        indexSlot = slot;
      }
    }
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    try {
      api.createEvent(eventId, 1, 2, 2);
      int victim = cluster.masterOf(indexSlot);
      cluster.kill(victim);
      assertEquals(201, api.holdQuantity(eventId, "buyer", 1).await().statusCode());
      Scenarios.awaitNewMaster(cluster, indexSlot, victim, 15_000);

      long deadline = System.currentTimeMillis() + 30_000;
      JsonObject event;
      do {
        Thread.sleep(250);
        event = api.get("/events/" + eventId).await().bodyAsJsonObject(); // a read: releases nothing
      } while (event.getInteger("held") > 0 && System.currentTimeMillis() < deadline);
      assertEquals(0, event.getInteger("held"), "the sweeper released the hold: " + event);
      assertEquals(2, event.getInteger("available"));
    } finally {
      api.close();
      app.close().await();
    }
  }
}
