package boxoffice.reservation;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An event left without a free seat: the holds that follow are refused by the service for
 * {@code hold.soldOutMs}, with the answer the script would give, and without calling it.
 */
class SoldOutTest extends ServiceTest {

  private static final int SOLD_OUT_MS = 5000;

  private int instances;

  /** No sweeper: only what the test does frees seats (an expiry is released by the next hold). */
  @Override
  protected JsonObject config(TestCluster cluster) {
    JsonObject config = super.config(cluster);
    config.getJsonObject("hold").put("soldOutMs", SOLD_OUT_MS);
    config.getJsonObject("sweeper").put("intervalMs", 3_600_000);
    instances = config.getJsonObject("http").getInteger("instances");
    return config;
  }

  @Test
  void lateBuyersAreRefusedWithoutAScriptCall(Vertx vertx, TestCluster cluster) {
    List<String> seats = Api.seatIds(2, 5);
    String reservation = fill("late", 2, 5);
    learnSoldOut("late");

    Random random = new Random(7);
    List<JsonObject> bodies = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    long callsBefore = scriptCalls(cluster, "late");
    for (int i = 0; i < 200; i++) {
      JsonObject body = new JsonObject().put("userId", "late" + i);
      if (i % 2 == 0) {
        body.put("quantity", 1 + random.nextInt(3));
      } else {
        body.put("seats", new JsonArray(List.of(seats.get(random.nextInt(seats.size())))));
      }
      bodies.add(body);
      answers.add(api.post("/events/late/reservations", body));
    }
    Future.join(answers).await();
    long calls = scriptCalls(cluster, "late") - callsBefore;

    for (int i = 0; i < answers.size(); i++) {
      HttpResponse<Buffer> answer = answers.get(i).result();
      JsonObject problem = answer.bodyAsJsonObject();
      assertEquals(409, answer.statusCode(), problem.encode());
      assertEquals("application/problem+json", answer.getHeader("Content-Type"));
      if (bodies.get(i).containsKey("quantity")) {
        assertEquals("urn:boxoffice:problem:insufficient", problem.getString("type"));
        assertEquals(0, problem.getInteger("available"));
      } else {
        assertEquals("urn:boxoffice:problem:unavailable", problem.getString("type"));
        assertEquals(bodies.get(i).getJsonArray("seats"), problem.getJsonArray("unavailable"));
      }
    }
    assertEquals(0, calls, "refusals of a sold-out event that called the hold script");
    EventState state = EventState.read(vertx, cluster, "late");
    state.assertInvariants();
    seats.forEach(seat -> assertEquals("pending:" + reservation, state.seats().get(seat)));
  }

  @Test
  void aCancelFreesTheSeatsForTheNextHoldAtOnce() {
    String reservation = fill("cancelled", 2, 5);
    learnSoldOut("cancelled");
    assertEquals(200, api.cancel("cancelled", reservation, "first").await().statusCode());
    // whichever verticle instance the hold reaches has heard of the cancel already
    HttpResponse<Buffer> next = api.holdQuantity("cancelled", "next", 10).await();
    assertEquals(201, next.statusCode(), next.bodyAsString());
  }

  @Test
  void aCancelThroughAnotherProcessIsSeenWithinSoldOutMs(TestCluster cluster) throws InterruptedException {
    String reservation = fill("elsewhere", 2, 5);
    learnSoldOut("elsewhere");
    // another process: its own Vert.x, so its event bus is not this one's
    Vertx otherVertx = Vertx.vertx();
    try {
      Boxoffice other = TestService.start(otherVertx, config(cluster));
      Api otherApi = new Api(otherVertx, other.httpPort());
      assertEquals(200, otherApi.cancel("elsewhere", reservation, "first").await().statusCode());
      otherApi.close();
    } finally {
      otherVertx.close().await();
    }
    long cancelled = System.currentTimeMillis();
    int status;
    do {
      Thread.sleep(50);
      status = api.holdQuantity("elsewhere", "next", 10).await().statusCode();
    } while (status == 409 && System.currentTimeMillis() - cancelled < SOLD_OUT_MS + 2000);
    assertEquals(201, status, "the freed seats could be held " + SOLD_OUT_MS + " ms after the cancel at the latest");
  }

  @Test
  void theFirstExpiryEndsIt() throws InterruptedException {
    api.createEvent("expiring", 2, 5, 3);
    HttpResponse<Buffer> first = api.holdQuantity("expiring", "first", 10).await();
    assertEquals(201, first.statusCode(), first.bodyAsString());
    learnSoldOut("expiring");
    long expiresAt = Instant.parse(first.bodyAsJsonObject().getString("expiresAt")).toEpochMilli();
    Thread.sleep(Math.max(0, expiresAt - System.currentTimeMillis()) + 50);
    // well within soldOutMs: only the hold's expiry lets this through (no sweeper runs here)
    HttpResponse<Buffer> next = api.holdQuantity("expiring", "next", 10).await();
    assertEquals(201, next.statusCode(), next.bodyAsString());
  }

  @Test
  void keyedRequestsAndSeatsItCannotCheckStillGoToRedis(TestCluster cluster) {
    fill("checked", 2, 5);
    learnSoldOut("checked");
    long callsBefore = scriptCalls(cluster, "checked");

    HttpResponse<Buffer> unknown = api.hold("checked", "u1", List.of("C1")).await();
    assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
    assertEquals(List.of("C1"), unknown.bodyAsJsonObject().getJsonArray("unknown").getList());

    JsonObject body = new JsonObject().put("userId", "u2").put("seats", new JsonArray(List.of("A1")));
    HttpResponse<Buffer> keyed = api.request(HttpMethod.POST, "/events/checked/reservations")
      .putHeader("Idempotency-Key", "k1").sendJsonObject(body).await();
    assertEquals(409, keyed.statusCode(), keyed.bodyAsString());
    // the refusal was kept in Redis under the key: the same key for another request is a mismatch
    HttpResponse<Buffer> reused = api.request(HttpMethod.POST, "/events/checked/reservations")
      .putHeader("Idempotency-Key", "k1").sendJsonObject(body.copy().put("seats", new JsonArray(List.of("A2")))).await();
    assertEquals(422, reused.statusCode(), reused.bodyAsString());

    assertEquals(3, scriptCalls(cluster, "checked") - callsBefore);
  }

  @Test
  void listedEventsRefuseQuantitiesButAskRedisAboutNamedSeats(TestCluster cluster) {
    HttpResponse<Buffer> created = api.post("/events", new JsonObject().put("id", "listed").put("name", "Listed")
      .put("venue", "Hall").put("price", 10).put("seatIds", new JsonArray(List.of("BOX1", "BOX2")))).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(201, api.holdQuantity("listed", "first", 2).await().statusCode());
    learnSoldOut("listed");
    long callsBefore = scriptCalls(cluster, "listed");

    assertEquals(409, api.holdQuantity("listed", "u1", 1).await().statusCode());
    assertEquals(0, scriptCalls(cluster, "listed") - callsBefore);
    HttpResponse<Buffer> unknown = api.hold("listed", "u1", List.of("BOX3")).await();
    assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
    assertEquals(409, api.hold("listed", "u1", List.of("BOX1")).await().statusCode());
    assertEquals(2, scriptCalls(cluster, "listed") - callsBefore);
  }

  /** Creates a grid event and holds all of it for user "first"; the reservation id. */
  private String fill(String eventId, int rows, int perRow) {
    api.createEvent(eventId, rows, perRow, 900);
    HttpResponse<Buffer> held = api.holdQuantity(eventId, "first", rows * perRow).await();
    assertEquals(201, held.statusCode(), held.bodyAsString());
    return held.bodyAsJsonObject().getString("reservationId");
  }

  /** One refused hold through each verticle instance (the bus takes turns), so that each knows. */
  private void learnSoldOut(String eventId) {
    for (int i = 0; i < instances; i++) {
      assertEquals(409, api.holdQuantity(eventId, "probe", 1).await().statusCode());
    }
  }

  /** Script calls (FCALL, and EVAL or EVALSHA should any remain) the event's master has served so far. */
  private static long scriptCalls(TestCluster cluster, String eventId) {
    String stats = cluster.cli(cluster.masterOf(TestCluster.slot("{event:" + eventId + "}")), "info", "commandstats");
    long calls = 0;
    Matcher m = Pattern.compile("cmdstat_(?:fcall|eval|evalsha):calls=(\\d+)").matcher(stats);
    while (m.find()) {
      calls += Long.parseLong(m.group(1));
    }
    return calls;
  }
}
