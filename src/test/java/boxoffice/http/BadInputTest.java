package boxoffice.http;

import boxoffice.bus.Addresses;
import boxoffice.bus.Failure;
import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of the API's input: a clear problem+json 4xx, and nothing written. */
class BadInputTest extends ServiceTest {

  private String reservation;

  @Override
  protected JsonObject config(TestCluster cluster) {
    return TestService.config(cluster).put("admin", new JsonObject().put("apiKey", "s3cret"));
  }

  @BeforeEach
  void createEvent() {
    HttpResponse<Buffer> created = api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", "s3cret")
      .sendJsonObject(event()).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    reservation = api.hold("show", "owner", List.of("A1")).await().bodyAsJsonObject().getString("reservationId");
  }

  private static JsonObject event() {
    return new JsonObject().put("id", "show").put("name", "Show").put("venue", "Hall").put("price", 10)
      .put("rows", 2).put("seatsPerRow", 5);
  }

  /** Everything the cluster holds: the number of keys on each master, and the event's state. */
  private String snapshot() {
    StringBuilder keys = new StringBuilder();
    for (int node : cluster.masters()) {
      keys.append(node).append('=').append(cluster.cli(node, "dbsize").trim()).append(' ');
    }
    EventState state = EventState.read(vertx, cluster, "show");
    return keys + state.seats().toString() + state.stats() + state.reservations();
  }

  private void expect(int status, String type, HttpResponse<Buffer> response) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    JsonObject problem = response.bodyAsJsonObject();
    assertEquals(status, problem.getInteger("status"));
    assertNotNull(problem.getString("title"));
    assertTrue(problem.getString("detail") != null && !problem.getString("detail").isBlank());
    if (type != null) {
      assertEquals("urn:boxoffice:problem:" + type, problem.getString("type"));
    }
  }

  private HttpResponse<Buffer> postEvent(JsonObject body) {
    return api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", "s3cret").sendJsonObject(body).await();
  }

  private HttpResponse<Buffer> postRaw(String path, String contentType, Buffer body) {
    return api.request(HttpMethod.POST, path).putHeader("X-Admin-Key", "s3cret")
      .putHeader("Content-Type", contentType).sendBuffer(body).await();
  }

  @Test
  void eventCreationRules() {
    String before = snapshot();
    expect(401, "unauthorized", api.post("/events", event().put("id", "other")).await());
    expect(401, "unauthorized", api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", "wrong")
      .sendJsonObject(event().put("id", "other")).await());
    expect(409, "exists", postEvent(event()));
    expect(400, null, postEvent(event().put("id", "a{b}")));
    expect(400, null, postEvent(event().put("id", "a:b")));
    expect(400, null, postEvent(event().put("id", "x".repeat(65))));
    expect(400, null, postEvent(event().put("id", "n1").put("name", "")));
    expect(400, null, postEvent(event().put("id", "n2").put("name", "x".repeat(201))));
    expect(400, null, postEvent(event().put("id", "n3").put("venue", 7)));
    expect(400, null, postEvent(event().put("id", "n4").put("price", -1)));
    expect(400, null, postEvent(event().put("id", "n5").put("price", "10")));
    expect(400, null, postEvent(event().put("id", "n6").put("rows", 0)));
    expect(400, null, postEvent(event().put("id", "n7").put("rows", 1000).put("seatsPerRow", 101)));
    expect(400, null, postEvent(event().put("id", "n8").put("holdSeconds", 0)));
    expect(400, null, postEvent(event().put("id", "n9").put("holdSeconds", 86401)));
    expect(400, null, postEvent(event().put("id", "e1").put("endsAt", "tomorrow")));
    expect(400, null, postEvent(event().put("id", "e2").put("endsAt", 1893456000000L)));
    expect(400, null, postEvent(event().put("id", "e3").put("endsAt", "2020-01-01T00:00:00Z")));
    expect(400, null, postEvent(event().put("id", "e4").put("endsAt", "2999-01-01T00:00:00Z")));
    expect(400, null, postEvent(event().put("id", "n10").put("seatIds", new JsonArray().add("S1"))));
    expect(400, "duplicate-seats", postEvent(new JsonObject().put("id", "n11").put("name", "x").put("venue", "y")
      .put("price", 1).put("seatIds", new JsonArray().add("S1").add("S2").add("S1"))));
    expect(400, "invalid-request", postRaw("/events", "application/json", Buffer.buffer("{\"id\": ")));
    expect(400, "invalid-request", postRaw("/events", "application/json", Buffer.buffer("[1, 2]")));
    expect(400, "invalid-request", postRaw("/events", "application/json", Buffer.buffer("null")));
    expect(400, "invalid-request", postRaw("/events", "application/json",
      Buffer.buffer(event().put("id", "n14").encode().replace("\"price\":10", "\"price\":1e400"))));
    expect(415, "unsupported-media-type", postRaw("/events", "text/plain", event().put("id", "n12").toBuffer()));
    JsonArray many = new JsonArray();
    for (int i = 0; i < 9000; i++) {
      many.add("SEAT" + i);
    }
    expect(413, "body-too-large", postEvent(new JsonObject().put("id", "n13").put("name", "x").put("venue", "y")
      .put("price", 1).put("seatIds", many)));
    assertEquals(before, snapshot());
  }

  @Test
  void deleteRules() {
    String before = snapshot();
    expect(401, "unauthorized", api.request(HttpMethod.DELETE, "/events/show").send().await());
    expect(401, "unauthorized", api.request(HttpMethod.DELETE, "/events/show").putHeader("X-Admin-Key", "wrong")
      .send().await());
    expect(400, null, api.request(HttpMethod.DELETE, "/events/a:b").putHeader("X-Admin-Key", "s3cret").send().await());
    expect(404, "not-found", api.request(HttpMethod.DELETE, "/events/nosuch").putHeader("X-Admin-Key", "s3cret")
      .send().await());
    assertEquals(before, snapshot());
  }

  @Test
  void holdRules() {
    String before = snapshot();
    String path = "/events/show/reservations";
    expect(404, "not-found", api.hold("nosuch", "u1", List.of("A1")).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u{1}").put("quantity", 1)).await());
    expect(400, null, api.post(path, new JsonObject().put("quantity", 1)).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u1")).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u1").put("quantity", 1)
      .put("seats", new JsonArray().add("A2"))).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u1").put("quantity", 0)).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u1").put("quantity", 11)).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u1").put("quantity", 1.5)).await());
    expect(400, null, api.hold("show", "u1", List.of()).await());
    expect(400, null, api.hold("show", "u1", List.of("A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B5", "C1"))
      .await());
    HttpResponse<Buffer> duplicate = api.hold("show", "u1", List.of("A2", "A3", "A2")).await();
    expect(400, "duplicate-seats", duplicate);
    assertEquals(new JsonArray().add("A2"), duplicate.bodyAsJsonObject().getJsonArray("duplicates"));
    HttpResponse<Buffer> unknown = api.hold("show", "u1", List.of("A2", "Z9", "A99")).await();
    expect(400, "unknown-seats", unknown);
    assertEquals(new JsonArray().add("Z9").add("A99"), unknown.bodyAsJsonObject().getJsonArray("unknown"));
    expect(400, null, api.hold("show", "u1", List.of("A{2}")).await());
    expect(400, null, api.request(HttpMethod.POST, path).putHeader("Idempotency-Key", "no spaces")
      .sendJsonObject(new JsonObject().put("userId", "u1").put("quantity", 1)).await());
    expect(400, null, api.hold("sh%7Bow%7D", "u1", List.of("A2")).await());
    expect(415, null, postRaw(path, "application/x-www-form-urlencoded", Buffer.buffer("userId=u1&quantity=1")));
    expect(400, null, postRaw(path, "application/json", Buffer.buffer("")));
    expect(400, "invalid-request", postRaw(path, "application/json", Buffer.buffer("null")));
    HttpResponse<Buffer> taken = api.hold("show", "u1", List.of("A2", "A1")).await();
    expect(409, "unavailable", taken);
    assertEquals(new JsonArray().add("A1"), taken.bodyAsJsonObject().getJsonArray("unavailable"));
    expect(409, "insufficient", api.holdQuantity("show", "u1", 10).await());
    assertEquals(before, snapshot());
  }

  /** Other consumers of the event bus are held to the same rules: a seat named twice changes nothing. */
  @Test
  void eventBusCreationRules() {
    String before = snapshot();
    JsonObject create = new JsonObject().put("id", "bus1").put("name", "x").put("venue", "y").put("price", 1)
      .put("seatIds", new JsonArray().add("S1").add("S2").add("S1"));
    ReplyException refused = assertThrows(ReplyException.class,
      () -> vertx.eventBus().request(Addresses.EVENT_CREATE, create).await());
    assertEquals(Failure.INVALID.code, refused.failureCode());
    assertTrue(refused.getMessage().contains("seat S1 is named twice"), refused.getMessage());
    assertEquals(before, snapshot());
    expect(404, "not-found", api.get("/events/bus1").await());
  }

  @Test
  void waitlistRules() {
    String before = snapshot();
    String path = "/events/show/waitlist";
    JsonObject join = new JsonObject().put("userId", "u1").put("quantity", 2);
    expect(404, "not-found", api.post("/events/nosuch/waitlist", join).await());
    expect(400, null, api.post(path, join.copy().put("quantity", 0)).await());
    expect(400, null, api.post(path, join.copy().put("quantity", 11)).await());
    expect(400, null, api.post(path, join.copy().put("quantity", "2")).await());
    expect(400, null, api.post(path, new JsonObject().put("userId", "u1")).await());
    expect(400, null, api.post(path, join.copy().put("userId", "u 1")).await());
    expect(415, null, postRaw(path, "text/plain", join.toBuffer()));
    HttpResponse<Buffer> available = api.post(path, join).await();
    expect(409, "seats-available", available);
    assertEquals(9, available.bodyAsJsonObject().getInteger("available"));
    expect(404, "not-found", api.get(path + "/u1").await());
    expect(404, "not-found", api.request(HttpMethod.DELETE, path + "/u1").send().await());
    expect(400, null, api.get(path + "/u%7B1%7D").await());
    expect(400, null, api.request(HttpMethod.DELETE, path + "/a:b").send().await());
    assertEquals(before, snapshot());
  }

  @Test
  void reservationRules() {
    String before = snapshot();
    expect(404, "not-found", api.get("/events/nosuch").await());
    expect(404, "not-found", api.get("/events/nosuch/seats").await());
    expect(404, "not-found", api.get("/events/show/reservations/AAAAAAAAAAAAAAAAAAAAAA").await());
    expect(400, null, api.get("/events/show/reservations/a:b").await());
    expect(403, "forbidden", api.confirm("show", reservation, "intruder").await());
    expect(403, "forbidden", api.cancel("show", reservation, "intruder").await());
    expect(404, "not-found", api.confirm("show", "AAAAAAAAAAAAAAAAAAAAAA", "owner").await());
    expect(404, "not-found", api.confirm("nosuch", reservation, "owner").await());
    expect(400, null, api.post("/events/show/reservations/" + reservation + "/confirm", new JsonObject()).await());
    expect(404, "not-found", api.get("/nothing/here").await());
    expect(405, null, api.request(HttpMethod.PUT, "/events/show").send().await());
    assertEquals(before, snapshot());

    assertEquals(200, api.confirm("show", reservation, "owner").await().statusCode());
    HttpResponse<Buffer> again = api.confirm("show", reservation, "owner").await();
    assertEquals(200, again.statusCode(), "a second confirm answers the same");
    expect(409, "ended", api.cancel("show", reservation, "owner").await());
  }
}
