package boxoffice.waitlist;

import boxoffice.Boxoffice;
import boxoffice.bus.Addresses;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class WaitlistApiTest {

  @Test
  void joinPositionLeaveAndPromotion(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    List<String> published = new CopyOnWriteArrayList<>();
    for (String address : List.of(Addresses.WAITLIST_JOINED, Addresses.WAITLIST_PROMOTED, Addresses.WAITLIST_LEFT)) {
      vertx.eventBus().<JsonObject>consumer(address, msg -> published.add(msg.body().getString("type") + ":"
        + msg.body().getString("userId"))).completion().await();
    }
    try {
      api.createEvent("tiny", 1, 2, 900);
      JsonObject hold = api.holdQuantity("tiny", "buyer", 2).await().bodyAsJsonObject();

      HttpResponse<Buffer> first = join(api, "ann", 1);
      assertEquals(201, first.statusCode(), first.bodyAsString());
      assertEquals("/events/tiny/waitlist/ann", first.getHeader("Location"));
      assertEquals(1, first.bodyAsJsonObject().getInteger("position"));
      assertEquals("waiting", first.bodyAsJsonObject().getString("status"));
      HttpResponse<Buffer> second = join(api, "bob", 2);
      assertEquals(201, second.statusCode());
      assertEquals(2, second.bodyAsJsonObject().getInteger("position"));
      HttpResponse<Buffer> again = join(api, "ann", 1);
      assertEquals(200, again.statusCode(), "a second join answers the current entry");
      assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject());
      assertEquals(2, api.get("/events/tiny").await().bodyAsJsonObject().getInteger("waitlist"));

      assertEquals(204, api.request(HttpMethod.DELETE, "/events/tiny/waitlist/bob").send().await().statusCode());
      assertEquals(404, api.get("/events/tiny/waitlist/bob").await().statusCode());

      assertEquals(200, api.cancel("tiny", hold.getString("reservationId"), "buyer").await().statusCode());
      JsonObject promoted = awaitStatus(api, "ann", "promoted");
      String reservationId = promoted.getString("reservationId");
      assertNotNull(promoted.getString("expiresAt"));
      JsonObject reservation = api.get("/events/tiny/reservations/" + reservationId).await().bodyAsJsonObject();
      assertEquals("ann", reservation.getString("userId"));
      assertEquals("pending", reservation.getString("status"));
      assertEquals(1, reservation.getJsonArray("seats").size());
      assertEquals(200, join(api, "ann", 1).statusCode(), "holding the promotion's seats, ann is not queued again");
      assertEquals(List.of("waitlist.joined:ann", "waitlist.joined:bob", "waitlist.left:bob", "waitlist.promoted:ann"),
        published);
      EventState.read(vertx, cluster, "tiny").assertInvariants();
    } finally {
      api.close();
      app.close().await();
    }
  }

  /**
   * Sales are final: nobody may wait for more seats than are left to sell, and a waiter whom a sale
   * leaves wanting more leaves the line at once, instead of blocking everyone behind (whose seat an
   * outside buyer could take meanwhile).
   */
  @Test
  void waitersWantingMoreSeatsThanAreLeftToSellDoNotBlockTheLine(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    List<JsonObject> left = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.WAITLIST_LEFT, msg -> left.add(msg.body())).completion().await();
    try {
      api.createEvent("tiny", 1, 3, 900);
      JsonObject pair = api.hold("tiny", "u1", List.of("A1", "A2")).await().bodyAsJsonObject();
      JsonObject single = api.hold("tiny", "u2", List.of("A3")).await().bodyAsJsonObject();
      assertEquals(201, join(api, "ann", 2).statusCode());
      assertEquals(201, join(api, "bob", 1).statusCode());
      // A3 comes back; ann, first in line, wants 2 of the 3 unsold seats: she may still get them
      assertEquals(200, api.cancel("tiny", single.getString("reservationId"), "u2").await().statusCode());
      assertEquals(200, api.confirm("tiny", pair.getString("reservationId"), "u1").await().statusCode());
      // now 1 seat is left to sell: ann left the line with the sale, and A3 is bob's
      assertEquals(409, api.hold("tiny", "outsider", List.of("A3")).await().statusCode());

      HttpResponse<Buffer> tooMany = join(api, "carol", 2);
      assertEquals(409, tooMany.statusCode(), tooMany.bodyAsString());
      assertEquals("urn:boxoffice:problem:insufficient", tooMany.bodyAsJsonObject().getString("type"));
      assertEquals(1, tooMany.bodyAsJsonObject().getInteger("unsold"));

      JsonObject bob = awaitStatus(api, "bob", "promoted");
      assertEquals(List.of("A3"), api.get("/events/tiny/reservations/" + bob.getString("reservationId")).await()
        .bodyAsJsonObject().getJsonArray("seats").getList());
      JsonObject ann = awaitStatus(api, "ann", "sold_out");
      assertNull(ann.getValue("position"), "out of the line: " + ann);
      long deadline = System.currentTimeMillis() + 2000;
      while (left.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, left.size(), "one waiter left the line: " + left);
      assertEquals("ann", left.get(0).getString("userId"));
      assertEquals("sold_out", left.get(0).getString("reason"));
      assertEquals(0, api.get("/events/tiny").await().bodyAsJsonObject().getInteger("waitlist"));
      EventState.read(vertx, cluster, "tiny").assertInvariants();
    } finally {
      api.close();
      app.close().await();
    }
  }

  private static HttpResponse<Buffer> join(Api api, String user, int quantity) {
    return api.post("/events/tiny/waitlist", new JsonObject().put("userId", user).put("quantity", quantity)).await();
  }

  private static JsonObject awaitStatus(Api api, String user, String status) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    JsonObject entry;
    do {
      entry = api.get("/events/tiny/waitlist/" + user).await().bodyAsJsonObject();
      if (status.equals(entry.getString("status"))) {
        return entry;
      }
      Thread.sleep(20);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError(user + " never became " + status + ": " + entry);
  }
}
