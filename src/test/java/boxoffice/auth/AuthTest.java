package boxoffice.auth;

import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import boxoffice.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code auth.jwt}: buyers are who their bearer token says, nobody acts on or reads another
 * user's reservation or waitlist entry, admins are the key or a token with the admin role, every
 * bad token is a 401 that changes nothing, and the public feed names no buyer.
 */
class AuthTest extends ServiceTest {

  private static final String ADMIN_KEY = "k3y";
  private Tokens issuer;

  @Override
  protected JsonObject config(TestCluster cluster) {
    issuer = Tokens.issuer(vertx, "RS256");
    return TestService.config(cluster).put("admin", new JsonObject().put("apiKey", ADMIN_KEY))
      .put("auth", new JsonObject().put("jwt", issuer.config()));
  }

  @Test
  void buyersAreTheirTokensAndNobodyElse() throws Exception {
    assertEquals(201, as(null, HttpMethod.POST, "/events").putHeader("X-Admin-Key", ADMIN_KEY)
      .sendJsonObject(event("gala")).await().statusCode(), "the admin key still works");
    String ann = issuer.token("ann");
    String bob = issuer.token("bob");

    HttpResponse<Buffer> held = as(ann, HttpMethod.POST, "/events/gala/reservations")
      .sendJsonObject(new JsonObject().put("quantity", 2)).await();
    assertEquals(201, held.statusCode(), held.bodyAsString());
    assertEquals("ann", held.bodyAsJsonObject().getString("userId"), "the user is the token's sub");
    String rid = held.bodyAsJsonObject().getString("reservationId");
    assertEquals(201, as(ann, HttpMethod.POST, "/events/gala/reservations")
      .sendJsonObject(new JsonObject().put("userId", "ann").put("seats", List.of("B1"))).await().statusCode(),
      "a userId that is the token's own is fine");

    String before = state("gala");
    problem(403, "forbidden", as(ann, HttpMethod.POST, "/events/gala/reservations")
      .sendJsonObject(new JsonObject().put("userId", "bob").put("quantity", 1)).await());
    problem(403, "forbidden", as(bob, HttpMethod.GET, "/events/gala/reservations/" + rid).send().await());
    problem(403, "forbidden", as(bob, HttpMethod.POST, "/events/gala/reservations/" + rid + "/cancel")
      .sendJsonObject(new JsonObject()).await());
    problem(403, "forbidden", as(bob, HttpMethod.POST, "/events/gala/reservations/" + rid + "/confirm")
      .sendJsonObject(new JsonObject()).await());
    problem(403, "forbidden", as(bob, HttpMethod.POST, "/events/gala/reservations/" + rid + "/confirm")
      .sendJsonObject(new JsonObject().put("userId", "ann")).await());
    assertEquals(before, state("gala"), "nothing changed");

    assertEquals(200, as(ann, HttpMethod.GET, "/events/gala/reservations/" + rid).send().await().statusCode());
    assertEquals(200, as(ann, HttpMethod.POST, "/events/gala/reservations/" + rid + "/confirm")
      .sendJsonObject(new JsonObject()).await().statusCode());
  }

  @Test
  void everyBadTokenIsA401ThatChangesNothing() {
    assertEquals(201, as(issuer.token("root", "admin"), HttpMethod.POST, "/events").sendJsonObject(event("show"))
      .await().statusCode(), "an admin's token creates events");
    String before = state("show");
    Tokens stranger = Tokens.issuer(vertx, "RS256");
    Map<String, String> bad = Map.of(
      "no token", "",
      "expired", issuer.expired("ann"),
      "signed by another key", stranger.token("ann"),
      "from another issuer", issuer.fromIssuer("ann", "https://evil.test"),
      "alg none", issuer.unsigned("ann"),
      "tampered payload", issuer.tampered("ann", "bob"),
      "not a JWT", "hello.world.x");
    bad.forEach((what, token) -> {
      HttpResponse<Buffer> refused = as(token.isEmpty() ? null : token, HttpMethod.POST, "/events/show/reservations")
        .sendJsonObject(new JsonObject().put("userId", "ann").put("quantity", 1)).await();
      problem(401, "unauthorized", refused);
      assertTrue(refused.getHeader("WWW-Authenticate").startsWith("Bearer"), what + ": WWW-Authenticate");
    });
    problem(401, "unauthorized", as("x.y.z", HttpMethod.GET, "/events/show/waitlist/ann").send().await());
    problem(403, "forbidden", as(issuer.token("ann"), HttpMethod.POST, "/events").sendJsonObject(event("nope")).await());
    problem(401, "unauthorized", as(null, HttpMethod.DELETE, "/events/show").send().await());
    problem(403, "forbidden", as(issuer.token("ann"), HttpMethod.DELETE, "/events/show").send().await());
    assertEquals(before, state("show"), "nothing changed");
    assertEquals(404, api.get("/events/nope").await().statusCode());
  }

  @Test
  void aWaiterIsReadByThemselvesAndTheFeedNamesNoBuyer() throws Exception {
    assertEquals(201, as(null, HttpMethod.POST, "/events").putHeader("X-Admin-Key", ADMIN_KEY)
      .sendJsonObject(event("small").put("rows", 1).put("seatsPerRow", 2)).await().statusCode());
    SseClient feed = SseClient.connect(vertx, app.httpPort(), "small", null);
    try {
      assertEquals(200, feed.status(), "the feed stays public");
      String ann = issuer.token("ann");
      String cid = issuer.token("cid");
      assertEquals(201, as(ann, HttpMethod.POST, "/events/small/reservations")
        .sendJsonObject(new JsonObject().put("quantity", 2)).await().statusCode());
      assertEquals(201, as(cid, HttpMethod.POST, "/events/small/waitlist")
        .sendJsonObject(new JsonObject().put("quantity", 1)).await().statusCode());
      problem(403, "forbidden", as(ann, HttpMethod.GET, "/events/small/waitlist/cid").send().await());
      problem(403, "forbidden", as(ann, HttpMethod.DELETE, "/events/small/waitlist/cid").send().await());
      problem(401, "unauthorized", as(null, HttpMethod.GET, "/events/small/waitlist/cid").send().await());
      assertEquals("waiting", as(cid, HttpMethod.GET, "/events/small/waitlist/cid").send().await()
        .bodyAsJsonObject().getString("status"));

      List<SseClient.Event> changes = feed.await(2, 5000);
      assertEquals(List.of("reservation.created", "waitlist.joined"), changes.stream().map(SseClient.Event::type).toList());
      for (SseClient.Event change : changes) {
        assertNull(change.data().getValue("userId"), "no user in " + change.data());
        assertNull(change.data().getValue("reservationId"), "no reservation in " + change.data());
        assertFalse(change.data().encode().contains("ann") || change.data().encode().contains("cid"), change.data().encode());
      }
      assertTrue(changes.get(0).data().containsKey("seats"), "the seats that changed are still there");
    } finally {
      feed.close();
    }
  }

  private HttpRequest<Buffer> as(String token, HttpMethod method, String path) {
    HttpRequest<Buffer> request = api.request(method, path);
    return token == null ? request : request.putHeader("Authorization", "Bearer " + token);
  }

  private static JsonObject event(String id) {
    return new JsonObject().put("id", id).put("name", "Show").put("venue", "Hall").put("price", 5)
      .put("rows", 2).put("seatsPerRow", 5);
  }

  private String state(String eventId) {
    EventState state = EventState.read(vertx, cluster, eventId);
    state.assertInvariants();
    return state.seats() + " " + state.stats() + " " + state.reservations().keySet();
  }

  private static void problem(int status, String type, HttpResponse<Buffer> response) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    assertEquals("urn:boxoffice:problem:" + type, response.bodyAsJsonObject().getString("type"), response.bodyAsString());
  }
}
