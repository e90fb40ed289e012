package boxoffice.reservation;

import boxoffice.bus.Addresses;
import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdempotencyTest extends ServiceTest {

  private Future<HttpResponse<Buffer>> hold(String user, JsonObject body, String key) {
    return api.request(HttpMethod.POST, "/events/idem/reservations")
      .putHeader("Idempotency-Key", key)
      .sendJsonObject(body.copy().put("userId", user));
  }

  @Test
  void concurrentRetriesOfOneHoldCreateOneReservation(Vertx vertx, TestCluster cluster) {
    api.createEvent("idem", 5, 5, 900);
    AtomicInteger created = new AtomicInteger();
    vertx.eventBus().consumer(Addresses.RESERVATION_CREATED, msg -> created.incrementAndGet()).completion().await();
    JsonObject body = new JsonObject().put("quantity", 3);
    List<Future<HttpResponse<Buffer>>> retries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      retries.add(hold("buyer", body, "order-7f3a"));
    }
    Future.all(retries).await();
    String first = retries.get(0).result().bodyAsString();
    for (Future<HttpResponse<Buffer>> retry : retries) {
      assertEquals(201, retry.result().statusCode());
      assertEquals(first, retry.result().bodyAsString(), "every retry gets the first answer");
    }
    EventState state = EventState.read(vertx, cluster, "idem");
    state.assertInvariants();
    assertEquals(3, state.count("pending:"));
    assertEquals(1, state.reservations().size());
    assertEquals(1, created.get(), "one reservation.created");
  }

  @Test
  void aRetriedRefusalIsRefusedTheSameWayAndAReusedKeyIsRejected(Vertx vertx, TestCluster cluster) {
    api.createEvent("idem", 1, 3, 900);
    JsonObject a1 = new JsonObject().put("seats", new JsonArray().add("A1"));
    String owner = hold("owner", a1, "k1").await().bodyAsJsonObject().getString("reservationId");
    HttpResponse<Buffer> refused = hold("late", a1, "k2").await();
    assertEquals(409, refused.statusCode());

    assertEquals(200, api.cancel("idem", owner, "owner").await().statusCode());
    HttpResponse<Buffer> again = hold("late", a1, "k2").await();
    assertEquals(409, again.statusCode(), "the first answer, though A1 is free now");
    assertEquals(refused.bodyAsString(), again.bodyAsString());

    HttpResponse<Buffer> reused = hold("late", new JsonObject().put("seats", new JsonArray().add("A2")), "k2").await();
    assertEquals(422, reused.statusCode());
    assertEquals("urn:boxoffice:problem:idempotency-mismatch", reused.bodyAsJsonObject().getString("type"));
    EventState state = EventState.read(vertx, cluster, "idem");
    state.assertInvariants();
    assertEquals(3, state.count("available"), "neither retry held anything");
  }

  @Test
  void keysAreKeptPerUser(Vertx vertx, TestCluster cluster) {
    api.createEvent("idem", 1, 4, 900);
    JsonObject two = new JsonObject().put("quantity", 2);
    String a = hold("alice", two, "same").await().bodyAsJsonObject().getString("reservationId");
    String b = hold("bob", two, "same").await().bodyAsJsonObject().getString("reservationId");
    assertEquals(2, List.of(a, b).stream().distinct().count());
    EventState.read(vertx, cluster, "idem").assertInvariants();
  }
}
