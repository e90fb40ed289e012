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

import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first hold of an event asks for the event to be put in the sweeper's index. When that write
 * fails, or is lost (the process died right after the hold, the shard's master failed over), the
 * hold must still be released on time and the line must still move, although nobody touches the
 * event again: later holds would not ask again, the reconciliation pass puts it back.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class SweeperIndexTest {

  private static final long RECONCILE_MS = 500;

  @Test
  void aHoldWhoseIndexEntryIsLostIsStillReleased(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, reconciling(cluster));
    Api api = new Api(vertx, app.httpPort());
    try {
      api.createEvent("lost1", 1, 2, 2);
      assertEquals(201, api.holdQuantity("lost1", "ann", 2).await().statusCode());
      loseIndexEntry(cluster, "lost1");
      JsonObject event = awaitEvent(api, "lost1", e -> e.getInteger("held") == 0, 15_000);
      assertEquals(2, event.getInteger("available"), "the sweeper released the hold: " + event);
    } finally {
      api.close();
      app.close().await();
    }
  }

  @Test
  void aLineWhoseIndexEntryIsLostStillMoves(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, reconciling(cluster));
    Api api = new Api(vertx, app.httpPort());
    try {
      api.createEvent("lost2", 1, 2, 2);
      assertEquals(201, api.holdQuantity("lost2", "ann", 2).await().statusCode());
      assertEquals(201, api.post("/events/lost2/waitlist", new JsonObject().put("userId", "bob").put("quantity", 1))
        .await().statusCode());
      loseIndexEntry(cluster, "lost2");
      long deadline = System.currentTimeMillis() + 15_000;
      JsonObject bob;
      do {
        Thread.sleep(250);
        bob = api.get("/events/lost2/waitlist/bob").await().bodyAsJsonObject(); // a read: moves nothing
      } while (!"promoted".equals(bob.getString("status")) && System.currentTimeMillis() < deadline);
      assertEquals("promoted", bob.getString("status"), "bob got the seat ann's hold gave back: " + bob);
    } finally {
      api.close();
      app.close().await();
    }
  }

  private static JsonObject reconciling(TestCluster cluster) {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("sweeper").put("reconcileMs", RECONCILE_MS);
    return config;
  }

  /** As if the process had died between the script and its index write: the event's entry is gone. */
  private static void loseIndexEntry(TestCluster cluster, String eventId) {
    String shard = Keys.sweepShard(Keys.sweepShardOf(eventId, EventStore.SWEEP_SHARDS));
    assertEquals("1", cluster.cli(cluster.masterOf(TestCluster.slot(shard)), "zrem", shard, eventId).trim(),
      "the event was indexed");
  }

  private static JsonObject awaitEvent(Api api, String eventId, Predicate<JsonObject> until, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject event;
    do {
      Thread.sleep(250);
      event = api.get("/events/" + eventId).await().bodyAsJsonObject(); // a read: releases nothing
    } while (!until.test(event) && System.currentTimeMillis() < deadline);
    return event;
  }

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

      JsonObject event = awaitEvent(api, eventId, e -> e.getInteger("held") == 0, 30_000);
      assertEquals(0, event.getInteger("held"), "the sweeper released the hold: " + event);
      assertEquals(2, event.getInteger("available"));
    } finally {
      api.close();
      app.close().await();
    }
  }
}
