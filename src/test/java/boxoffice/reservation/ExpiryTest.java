package boxoffice.reservation;

import boxoffice.Boxoffice;
import boxoffice.bus.Addresses;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class ExpiryTest {

  private static Set<String> expiredReservations(Vertx vertx) {
    Set<String> expired = ConcurrentHashMap.newKeySet();
    vertx.eventBus().<JsonObject>consumer(Addresses.RESERVATION_EXPIRED,
      msg -> expired.add(msg.body().getString("reservationId"))).completion().await();
    return expired;
  }

  private static JsonObject withSweeperEvery(TestCluster cluster, long intervalMs) {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("sweeper").put("intervalMs", intervalMs);
    return config;
  }

  @Test
  void holdsExpireWithoutAnyRequestTouchingTheEvent(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    Set<String> expired = expiredReservations(vertx);
    try {
      api.createEvent("short", 2, 5, 2);
      String named = api.hold("short", "u1", List.of("A1", "A2")).await().bodyAsJsonObject().getString("reservationId");
      String best = api.holdQuantity("short", "u2", 3).await().bodyAsJsonObject().getString("reservationId");
      assertEquals(5, EventState.read(vertx, cluster, "short").count("pending:"));

      Thread.sleep(2600); // the hold time and a few sweeper passes; nothing touches the event
      EventState state = EventState.read(vertx, cluster, "short");
      state.assertInvariants();
      assertEquals(10, state.count("available"), "every seat came back");
      assertEquals(Set.of(named, best), expired, "both expiries were published");

      HttpResponse<Buffer> late = api.confirm("short", named, "u1").await();
      assertEquals(409, late.statusCode());
      assertEquals("expired", late.bodyAsJsonObject().getString("reservationStatus"));
      assertEquals("expired", api.get("/events/short/reservations/" + named).await().bodyAsJsonObject().getString("status"));
    } finally {
      api.close();
      app.close().await();
    }
  }

  @Test
  void anExpiredHoldIsReleasedByTheNextScriptBeforeAnySweep(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, withSweeperEvery(cluster, 3_600_000));
    Api api = new Api(vertx, app.httpPort());
    Set<String> expired = expiredReservations(vertx);
    try {
      api.createEvent("lazy", 1, 4, 1);
      String first = api.hold("lazy", "u1", List.of("A1", "A2")).await().bodyAsJsonObject().getString("reservationId");
      assertEquals(409, api.hold("lazy", "u2", List.of("A1")).await().statusCode());
      Thread.sleep(1200);
      HttpResponse<Buffer> second = api.hold("lazy", "u2", List.of("A1")).await();
      assertEquals(201, second.statusCode(), second.bodyAsString());
      assertEquals(Set.of(first), expired);
      EventState state = EventState.read(vertx, cluster, "lazy");
      state.assertInvariants();
      assertEquals("available", state.seats().get("A2"), "all of the expired hold was released");
    } finally {
      api.close();
      app.close().await();
    }
  }

  /**
   * Lazy expiry releases 64 holds past their time a call; where holds of more seats are allowed, a
   * quantity hold releases as many as it asks seats, so that expired holds never make it too few.
   */
  @Test
  void aBigQuantityHoldReleasesAsManyExpiredHoldsAsItNeeds(Vertx vertx, TestCluster cluster) throws Exception {
    JsonObject config = withSweeperEvery(cluster, 3_600_000);
    config.getJsonObject("hold").put("maxSeatsPerHold", 100);
    Boxoffice app = TestService.start(vertx, config);
    Api api = new Api(vertx, app.httpPort());
    Set<String> expired = expiredReservations(vertx);
    try {
      api.createEvent("many", 1, 100, 2);
      List<Future<HttpResponse<Buffer>>> holds = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        holds.add(api.holdQuantity("many", "u" + i, 1));
      }
      for (Future<HttpResponse<Buffer>> hold : holds) {
        assertEquals(201, hold.await().statusCode());
      }
      Thread.sleep(2200);
      HttpResponse<Buffer> big = api.holdQuantity("many", "big", 100).await();
      assertEquals(201, big.statusCode(), big.bodyAsString());
      assertEquals(100, big.bodyAsJsonObject().getJsonArray("seats").size());
      long deadline = System.currentTimeMillis() + 2000;
      while (expired.size() < 100 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(100, expired.size(), "every expiry was published");
      EventState.read(vertx, cluster, "many").assertInvariants();
    } finally {
      api.close();
      app.close().await();
    }
  }

  @Test
  void holdsMadeBeforeARestartStillExpire(Vertx vertx, TestCluster cluster) throws Exception {
    JsonObject config = TestService.config(cluster);
    Boxoffice before = TestService.start(vertx, config);
    Api api = new Api(vertx, before.httpPort());
    api.createEvent("restart", 1, 4, 1);
    assertEquals(201, api.holdQuantity("restart", "u1", 4).await().statusCode());
    api.close();
    before.close().await();

    Thread.sleep(1200);
    assertEquals(4, EventState.read(vertx, cluster, "restart").count("pending:"), "nothing ran while it was down");
    Boxoffice after = TestService.start(vertx, config);
    try {
      Thread.sleep(600);
      EventState state = EventState.read(vertx, cluster, "restart");
      state.assertInvariants();
      assertEquals(4, state.count("available"));
    } finally {
      after.close().await();
    }
  }

  @Test
  void confirmsRacingTheSweeperNeverLeaveASeatBothSoldAndFree(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, withSweeperEvery(cluster, 20));
    Api api = new Api(vertx, app.httpPort());
    try {
      api.createEvent("edge", 10, 10, 1);
      List<JsonObject> holds = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        holds.add(api.holdQuantity("edge", "u" + i, 2).await().bodyAsJsonObject());
      }
      List<Future<HttpResponse<Buffer>>> confirms = new ArrayList<>();
      for (int i = 0; i < holds.size(); i++) {
        JsonObject hold = holds.get(i);
        // each confirm aims at a slightly different moment around the expiry
        long at = Instant.parse(hold.getString("expiresAt")).toEpochMilli() - 60 + (i % 12) * 10;
        long delay = Math.max(1, at - System.currentTimeMillis());
        confirms.add(Future.future(p -> vertx.setTimer(delay, t ->
          api.confirm("edge", hold.getString("reservationId"), hold.getString("userId")).onComplete(p))));
      }
      Future.join(confirms).await();
      Thread.sleep(300);

      EventState state = EventState.read(vertx, cluster, "edge");
      state.assertInvariants();
      int sold = 0;
      for (int i = 0; i < holds.size(); i++) {
        HttpResponse<Buffer> response = confirms.get(i).result();
        String id = holds.get(i).getString("reservationId");
        for (Object seat : holds.get(i).getJsonArray("seats")) {
          if (response.statusCode() == 200) {
            assertEquals("sold:" + id, state.seats().get(seat), "a confirmed seat is sold");
          } else {
            assertEquals(409, response.statusCode(), response.bodyAsString());
            assertEquals("available", state.seats().get(seat), "a seat whose confirm came too late is free");
          }
        }
        sold += response.statusCode() == 200 ? 2 : 0;
      }
      assertEquals(sold, state.count("sold:"));
      assertEquals(100 - sold, state.count("available"), "no seat is left held");
    } finally {
      api.close();
      app.close().await();
    }
  }
}
