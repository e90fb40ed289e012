package boxoffice.reservation;

import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ends: an event deleted by the admin leaves no key behind, also while buyers race for its
 * seats; an event past its end closes its sale and is retired by the sweeper (pending holds expire,
 * waiters leave, the change log is cut down), its sales kept.
 */
class RetentionTest extends ServiceTest {

  private static final String ADMIN_KEY = "k3y-for-admins";

  @Override
  protected JsonObject config(TestCluster cluster) {
    return TestService.config(cluster).put("admin", new JsonObject().put("apiKey", ADMIN_KEY));
  }

  @Test
  void aDeletedEventLeavesNoKeyAndNoOtherEventIsTouched() throws Exception {
    String doomed = TestCluster.eventIdInSlots("doomed", 100, 100);
    String neighbour = TestCluster.eventIdInSlots("neighbour", 100, 100); // the same slot
    create(doomed, null, 10);
    create(neighbour, null);
    JsonObject sale = hold(doomed, "ann", 2);
    assertEquals(200, api.confirm(doomed, sale.getString("reservationId"), "ann").await().statusCode());
    JsonObject dropped = hold(doomed, "bob", 1);
    assertEquals(200, api.cancel(doomed, dropped.getString("reservationId"), "bob").await().statusCode());
    assertEquals(201, api.request(HttpMethod.POST, "/events/" + doomed + "/reservations")
      .putHeader("Idempotency-Key", "order-1").sendJsonObject(new JsonObject().put("userId", "cid").put("quantity", 5))
      .await().statusCode());
    assertEquals(201, api.post("/events/" + doomed + "/waitlist", new JsonObject().put("userId", "dan").put("quantity", 4))
      .await().statusCode());
    hold(neighbour, "eve", 3);
    EventState neighbourBefore = EventState.read(vertx, cluster, neighbour);
    assertFalse(keysOf(doomed).isEmpty());

    assertEquals(401, api.request(HttpMethod.DELETE, "/events/" + doomed).send().await().statusCode(), "admin only");
    assertEquals(204, delete(doomed).statusCode());

    assertEquals(List.of(), keysOf(doomed), "no key of the event is left");
    assertEquals(404, api.get("/events/" + doomed).await().statusCode());
    assertEquals(404, api.get("/events/" + doomed + "/seats").await().statusCode());
    assertEquals(404, api.holdQuantity(doomed, "fay", 1).await().statusCode());
    assertEquals(404, delete(doomed).statusCode(), "a second delete finds nothing");
    EventState neighbourAfter = EventState.read(vertx, cluster, neighbour);
    assertEquals(neighbourBefore.seats(), neighbourAfter.seats(), "the event of the same slot is untouched");
    neighbourAfter.assertInvariants();
  }

  @Test
  void buyersRacingADeleteLeaveNothingBehind() throws Exception {
    create("raced", null);
    AtomicBoolean stop = new AtomicBoolean();
    List<long[]> answers = new CopyOnWriteArrayList<>(); // {status, start, end}
    List<Future<Void>> buyers = new ArrayList<>();
    for (int b = 0; b < 32; b++) {
      Promise<Void> done = Promise.promise();
      buyers.add(done.future());
      int buyer = b;
      vertx.runOnContext(v -> buy(buyer, 0, stop, answers, done));
    }
    Thread.sleep(500);
    long deleting = System.currentTimeMillis();
    assertEquals(204, delete("raced").statusCode());
    long deleted = System.currentTimeMillis();
    Thread.sleep(300);
    stop.set(true);
    Future.join(buyers).await();

    assertEquals(List.of(), keysOf("raced"), "no key of the event is left");
    assertTrue(answers.stream().anyMatch(a -> a[0] == 201 && a[2] < deleting), "buyers held seats before");
    assertTrue(answers.stream().filter(a -> a[1] > deleted).allMatch(a -> a[0] == 404),
      "every hold sent after the delete is not found");
  }

  @Test
  void anEventPastItsEndClosesItsSaleAndIsRetired() throws Exception {
    create("ending", Instant.now().plusSeconds(3), 10);
    JsonObject sold = hold("ending", "ann", 2);
    assertEquals(200, api.confirm("ending", sold.getString("reservationId"), "ann").await().statusCode());
    JsonObject cancelled = hold("ending", "bob", 2);
    hold("ending", "cid", 6); // sold out
    assertEquals(201, api.post("/events/ending/waitlist", new JsonObject().put("userId", "dan").put("quantity", 3))
      .await().statusCode());
    SseClient feed = SseClient.connect(vertx, app.httpPort(), "ending", null);
    String beforeTheEnd;
    try {
      assertEquals(200, api.cancel("ending", cancelled.getString("reservationId"), "bob").await().statusCode());
      beforeTheEnd = feed.await(1, 5000).get(0).id();
    } finally {
      feed.close();
    }

    JsonObject event = awaitEvent("ending", e -> e.getInteger("held") == 0 && e.getInteger("waitlist") == 0, 15_000);
    assertEquals(2, event.getInteger("sold"), "the sale stays: " + event);
    assertEquals(8, event.getInteger("available"), "every hold ended with the event: " + event);
    assertEquals("ended", api.get("/events/ending/waitlist/dan").await().bodyAsJsonObject().getString("status"));
    assertEquals("confirmed", api.get("/events/ending/reservations/" + sold.getString("reservationId")).await()
      .bodyAsJsonObject().getString("status"));

    HttpResponse<Buffer> late = api.holdQuantity("ending", "eve", 1).await();
    assertEquals(409, late.statusCode(), late.bodyAsString());
    assertEquals("urn:boxoffice:problem:event-ended", late.bodyAsJsonObject().getString("type"));
    assertEquals(409, api.post("/events/ending/waitlist", new JsonObject().put("userId", "eve").put("quantity", 1))
      .await().statusCode());

    String log = cluster.cli(master("ending"), "xrange", "{event:ending}:changes", "-", "+");
    assertEquals("1", cluster.cli(master("ending"), "xlen", "{event:ending}:changes").trim(),
      "the change log is cut down to the end: " + log);
    assertTrue(log.contains("event.ended"), log);
    SseClient resumed = SseClient.connect(vertx, app.httpPort(), "ending", beforeTheEnd);
    try {
      assertEquals("reset", resumed.await(1, 5000).get(0).type(), "changes before the end are no longer kept");
    } finally {
      resumed.close();
    }
    EventState.read(vertx, cluster, "ending").assertInvariants();
  }

  private void create(String id, Instant endsAt) {
    create(id, endsAt, 100);
  }

  private void create(String id, Instant endsAt, int seats) {
    JsonObject body = new JsonObject().put("id", id).put("name", "Show " + id).put("venue", "Hall").put("price", 10)
      .put("rows", 1).put("seatsPerRow", seats);
    if (endsAt != null) {
      body.put("endsAt", endsAt.toString());
    }
    HttpResponse<Buffer> created = api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", ADMIN_KEY)
      .sendJsonObject(body).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
  }

  private JsonObject hold(String eventId, String user, int quantity) {
    HttpResponse<Buffer> held = api.holdQuantity(eventId, user, quantity).await();
    assertEquals(201, held.statusCode(), held.bodyAsString());
    return held.bodyAsJsonObject();
  }

  private HttpResponse<Buffer> delete(String eventId) {
    return api.request(HttpMethod.DELETE, "/events/" + eventId).putHeader("X-Admin-Key", ADMIN_KEY).send().await();
  }

  private void buy(int buyer, int round, AtomicBoolean stop, List<long[]> answers, Promise<Void> done) {
    if (stop.get()) {
      done.complete();
      return;
    }
    long start = System.currentTimeMillis();
    api.holdQuantity("raced", "b" + buyer + "r" + round, 1).onComplete(answer -> {
      answers.add(new long[] {answer.succeeded() ? answer.result().statusCode() : -1, start, System.currentTimeMillis()});
      JsonObject body = answer.succeeded() && answer.result().statusCode() == 201 ? answer.result().bodyAsJsonObject() : null;
      Future<?> next = body == null ? Future.succeededFuture()
        : api.cancel("raced", body.getString("reservationId"), "b" + buyer + "r" + round);
      next.onComplete(v -> buy(buyer, round + 1, stop, answers, done));
    });
  }

  private int master(String eventId) {
    return cluster.masterOf(TestCluster.slot("{event:" + eventId + "}"));
  }

  /** Every key of the event's slot on its master that is named after the event. */
  private List<String> keysOf(String eventId) {
    int slot = TestCluster.slot("{event:" + eventId + "}");
    int node = cluster.masterOf(slot);
    String count = cluster.cli(node, "cluster", "countkeysinslot", String.valueOf(slot)).trim();
    return cluster.cli(node, "cluster", "getkeysinslot", String.valueOf(slot), count).lines()
      .filter(key -> key.startsWith("{event:" + eventId + "}")).toList();
  }

  private JsonObject awaitEvent(String eventId, java.util.function.Predicate<JsonObject> until, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject event;
    do {
      Thread.sleep(200);
      event = api.get("/events/" + eventId).await().bodyAsJsonObject();
    } while (!until.test(event) && System.currentTimeMillis() < deadline);
    return event;
  }
}
