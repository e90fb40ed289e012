package boxoffice.http;

import boxoffice.testing.Contract;
import boxoffice.testing.Contract.Exchange;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract check itself: it passes the service's real answers (examples taken from them) and
 * fails, naming the call, the operation and the field, whatever departs from the contract.
 */
class ContractCheckTest {

  private static final String HOLD = "/events/gala/reservations";
  private static final JsonObject PENDING = new JsonObject().put("reservationId", "cASxWHTYIEuf7ofvBsgPSw")
    .put("eventId", "gala").put("userId", "bob").put("seats", new io.vertx.core.json.JsonArray().add("A1").add("A2"))
    .put("status", "pending").put("createdAt", "2026-12-05T05:27:28.690Z").put("expiresAt", "2026-12-05T05:37:28.690Z");
  private static final JsonObject USER_LIMIT = new JsonObject().put("limit", 4).put("held", 3)
    .put("type", "urn:boxoffice:problem:user-limit").put("title", "Conflict").put("status", 409)
    .put("detail", "at most 4 seats per user for this event");
  private static final JsonObject UNAUTHORIZED = new JsonObject().put("type", "urn:boxoffice:problem:unauthorized")
    .put("title", "Unauthorized").put("status", 401).put("detail", "an Authorization: Bearer token is required");
  private static final JsonObject RATE_LIMITED = new JsonObject().put("type", "urn:boxoffice:problem:rate-limited")
    .put("title", "Too Many Requests").put("status", 429).put("detail", "too many holds and waitlist joins; try again in 1 s");
  private static final JsonObject TAKEN = new JsonObject().put("unavailable", new io.vertx.core.json.JsonArray().add("C7"))
    .put("type", "urn:boxoffice:problem:unavailable").put("title", "Conflict").put("status", 409)
    .put("detail", "some seats are taken");

  @AfterEach
  void forgetTheDeparturesMadeOnPurpose() {
    Contract.clear();
  }

  /** The departure found, or null when the exchange keeps to the contract. */
  private static String check(HttpMethod method, String uri, MultiMap requestHeaders, String requestBody,
                              int status, MultiMap responseHeaders, Buffer responseBody) {
    Exchange exchange = new Exchange(method, uri, requestHeaders, requestBody == null ? null : Buffer.buffer(requestBody),
      status, responseHeaders, responseBody);
    try {
      Contract.get().check(exchange).await();
      return null;
    } catch (Contract.Mismatch mismatch) {
      assertTrue(Contract.mismatches().contains(mismatch), "every departure is kept for the test that made it");
      return mismatch.getMessage();
    }
  }

  private static String hold(String body, int status, MultiMap headers, Object answer) {
    return check(HttpMethod.POST, HOLD, json(), body, status, headers, Buffer.buffer(answer.toString()));
  }

  private static MultiMap json() {
    return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
  }

  private static MultiMap problem() {
    return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/problem+json");
  }

  private static MultiMap created() {
    return json().add("Location", "/events/gala/reservations/cASxWHTYIEuf7ofvBsgPSw");
  }

  @Test
  void realAnswersPass() {
    assertNull(hold("{\"userId\":\"bob\",\"quantity\":2}", 201, created(), PENDING));
    assertNull(hold("{\"userId\":\"bob\",\"seats\":[\"C7\"]}", 409, problem(), TAKEN));
    assertNull(check(HttpMethod.DELETE, "/events/gala/waitlist/carol", MultiMap.caseInsensitiveMultiMap(), null, 204,
      MultiMap.caseInsensitiveMultiMap(), Buffer.buffer()));
    assertNull(check(HttpMethod.GET, "/events?limit=1&cursor=1796448448576.boxes", MultiMap.caseInsensitiveMultiMap(),
      null, 200, json(), Buffer.buffer("{\"events\":[],\"next\":null}")));
    // with auth.jwt: the user is the token's, caps and rates refuse
    assertNull(hold("{\"quantity\":2}", 201, created(), PENDING));
    assertNull(hold("{\"quantity\":2}", 409, problem(), USER_LIMIT));
    assertNull(hold("{\"quantity\":2}", 401, problem().add("WWW-Authenticate", "Bearer realm=\"boxoffice\""),
      UNAUTHORIZED));
    assertNull(hold("{\"quantity\":2}", 429, problem().add("Retry-After", "1"), RATE_LIMITED));
  }

  @Test
  void anAnswerThatDepartsIsNamedWithItsRouteAndField() {
    JsonObject noExpiry = PENDING.copy();
    noExpiry.remove("expiresAt");
    String departure = hold("{\"userId\":\"bob\",\"quantity\":2}", 201, created(), noExpiry);
    assertTrue(departure.startsWith("POST /events/gala/reservations [hold: POST /events/{eventId}/reservations]: answer 201"),
      departure);
    assertTrue(departure.contains("expiresAt"), departure);

    String undocumented = hold("{\"userId\":\"bob\",\"quantity\":2}", 201, created(), PENDING.copy().put("seat", "A1"));
    assertTrue(undocumented.contains("#/seat"), undocumented);

    String wrongStatus = check(HttpMethod.GET, "/events/gala", MultiMap.caseInsensitiveMultiMap(), null, 418, problem(),
      Buffer.buffer(TAKEN.copy().put("status", 418).encode()));
    assertTrue(wrongStatus.contains("418"), wrongStatus);

    String statusInBody = hold("{\"userId\":\"bob\",\"seats\":[\"C7\"]}", 409, problem(), TAKEN.copy().put("status", 400));
    assertTrue(statusInBody.contains("#/status"), statusInBody);

    String unknownType = hold("{\"userId\":\"bob\",\"seats\":[\"C7\"]}", 409, problem(),
      TAKEN.copy().put("type", "urn:boxoffice:problem:taken"));
    assertTrue(unknownType.contains("#/type"), unknownType);
  }

  @Test
  void headersAndContentTypesAreChecked() {
    String noLocation = hold("{\"userId\":\"bob\",\"quantity\":2}", 201, json(), PENDING);
    assertTrue(noLocation.contains("Location"), noLocation);

    JsonObject down = new JsonObject().put("type", "urn:boxoffice:problem:unavailable").put("title", "Service Unavailable")
      .put("status", 503).put("detail", "the event's data cannot be reached right now");
    String noRetryAfter = hold("{\"userId\":\"bob\",\"quantity\":2}", 503, problem(), down);
    assertTrue(noRetryAfter.contains("Retry-After"), noRetryAfter);
    assertNull(hold("{\"userId\":\"bob\",\"quantity\":2}", 503, problem().add("Retry-After", "1"), down));

    String noChallenge = hold("{\"quantity\":2}", 401, problem(), UNAUTHORIZED);
    assertTrue(noChallenge.contains("WWW-Authenticate"), noChallenge);
    String noRetry = hold("{\"quantity\":2}", 429, problem(), RATE_LIMITED);
    assertTrue(noRetry.contains("Retry-After"), noRetry);
    JsonObject limitOnly = USER_LIMIT.copy();
    limitOnly.remove("held");
    String noHeld = hold("{\"quantity\":2}", 409, problem(), limitOnly);
    assertTrue(noHeld.contains("held"), noHeld);

    String problemAsJson = hold("{\"userId\":\"bob\",\"seats\":[\"C7\"]}", 409, json(), TAKEN);
    assertTrue(problemAsJson.contains("409"), problemAsJson);

    String bodyOn204 = check(HttpMethod.DELETE, "/events/gala/waitlist/carol", MultiMap.caseInsensitiveMultiMap(), null,
      204, json(), Buffer.buffer("{}"));
    assertTrue(bodyOn204.contains("has a body"), bodyOn204);
  }

  @Test
  void aRequestTheContractRefusesMustBeRefused() {
    String accepted = hold("{\"userId\":\"bob\",\"quantity\":2,\"seats\":[\"A1\"]}", 201, created(), PENDING);
    assertTrue(accepted.contains("the contract refuses the request"), accepted);
    assertNull(hold("{\"userId\":\"bob\",\"quantity\":2,\"seats\":[\"A1\"]}", 400, problem(), new JsonObject()
      .put("type", "urn:boxoffice:problem:invalid-request").put("title", "Bad Request").put("status", 400)
      .put("detail", "give either seats or quantity")));

    MultiMap badKey = json().add("Idempotency-Key", "no spaces");
    String keyAccepted = check(HttpMethod.POST, HOLD, badKey, "{\"userId\":\"bob\",\"quantity\":2}", 201, created(),
      Buffer.buffer(PENDING.encode()));
    assertTrue(keyAccepted.contains("Idempotency-Key"), keyAccepted);

    String badPathId = check(HttpMethod.GET, "/events/a:b", MultiMap.caseInsensitiveMultiMap(), null, 500, problem(),
      Buffer.buffer(TAKEN.copy().put("status", 500).put("type", "urn:boxoffice:problem:internal").encode()));
    assertTrue(badPathId.contains("eventId"), badPathId);
  }

  @Test
  void pathsOutsideTheContractAnswerProblems() {
    JsonObject notFound = new JsonObject().put("type", "urn:boxoffice:problem:not-found").put("title", "Not Found")
      .put("status", 404).put("detail", "no such resource");
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    assertNull(check(HttpMethod.GET, "/nothing/here", none, null, 404, problem(), notFound.toBuffer()));
    assertNull(check(HttpMethod.GET, "/ui/js/seatmap.js", none, null, 200,
      MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/javascript"), Buffer.buffer("export {};")));

    String served = check(HttpMethod.GET, "/nothing/here", none, null, 200, json(), Buffer.buffer("{}"));
    assertTrue(served.contains("no operation of the contract"), served);
    String htmlError = check(HttpMethod.GET, "/ui/js/nothing.js", none, null, 404,
      MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/html"), Buffer.buffer("<p>no</p>"));
    assertTrue(htmlError.contains("application/problem+json"), htmlError);
    String badProblem = check(HttpMethod.PUT, "/events/gala", none, null, 405, problem(),
      notFound.copy().put("status", "405").toBuffer());
    assertTrue(badProblem.contains("#/status"), badProblem);
  }

  @Test
  void requestsTooLongToReadAreRefusedOnlyWhenTheyAre() {
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    JsonObject uriTooLong = new JsonObject().put("type", "urn:boxoffice:problem:uri-too-long")
      .put("title", "Request-URI Too Long").put("status", 414).put("detail", "the request line is over 4096 characters");
    String longPath = "/events/" + "x".repeat(HttpVerticle.MAX_REQUEST_LINE);
    assertNull(check(HttpMethod.GET, longPath, none, null, 414, problem(), uriTooLong.toBuffer()));
    String shortLine = check(HttpMethod.GET, "/events/gala", none, null, 414, problem(), uriTooLong.toBuffer());
    assertTrue(shortLine.contains("within the service's limit"), shortLine);
    String wrongType = check(HttpMethod.GET, longPath, none, null, 414, problem(),
      uriTooLong.copy().put("type", "urn:boxoffice:problem:headers-too-large").toBuffer());
    assertTrue(wrongType.contains("uri-too-long"), wrongType);
    String notAProblem = check(HttpMethod.GET, longPath, none, null, 414, json(), uriTooLong.toBuffer());
    assertTrue(notAProblem.contains("application/problem+json"), notAProblem);

    JsonObject headersTooLarge = new JsonObject().put("type", "urn:boxoffice:problem:headers-too-large")
      .put("title", "Request Header Fields Too Large").put("status", 431)
      .put("detail", "the request's headers are over 8192 bytes");
    MultiMap big = MultiMap.caseInsensitiveMultiMap().add("X-Filler", "y".repeat(HttpVerticle.MAX_HEADERS_BYTES));
    assertNull(check(HttpMethod.GET, "/events", big, null, 431, problem(), headersTooLarge.toBuffer()));
    String smallHeaders = check(HttpMethod.GET, "/events", json(), null, 431, problem(), headersTooLarge.toBuffer());
    assertTrue(smallHeaders.contains("within the service's limit"), smallHeaders);
    String otherStatus = check(HttpMethod.GET, "/events", big, null, 431, problem(),
      headersTooLarge.copy().put("status", 400).toBuffer());
    assertTrue(otherStatus.contains("status"), otherStatus);
  }

  @Test
  void compressedAnswersAreReadAsTheServiceWroteThem() throws IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write("{\"A1\":\"available\",\"A2\":\"held\"}".getBytes());
    }
    MultiMap gzipped = json().add("Content-Encoding", "gzip");
    assertNull(check(HttpMethod.GET, "/events/gala/seats", MultiMap.caseInsensitiveMultiMap(), null, 200, gzipped,
      Buffer.buffer(zipped.toByteArray())));
  }

  @Test
  void theLiveFeedsEventsAreChecked() {
    var items = Contract.get().items(HttpMethod.GET, "/events/gala/changes", "text/event-stream");
    JsonObject created = new JsonObject().put("eventId", "gala").put("type", "reservation.created")
      .put("reservationId", "fMi5pudqs2vg8r8UWze16w").put("seats", new io.vertx.core.json.JsonArray().add("BOX1"))
      .put("userId", "ann").put("time", "2026-12-05T05:28:22.518Z");
    assertNull(items.apply(new JsonObject().put("id", "1796448502519-0").put("event", "reservation.created")
      .put("data", created)));
    assertNull(items.apply(new JsonObject().put("id", "1796448502519-0").put("event", "reset")
      .put("data", new JsonObject().put("detail", "read the event again"))));
    String unknown = items.apply(new JsonObject().put("id", "1796448502519-0").put("event", "reservation.sold")
      .put("data", created.copy().put("type", "reservation.sold")));
    assertTrue(unknown != null && unknown.contains("changes"), unknown);
    String noSeats = items.apply(new JsonObject().put("id", "1796448502519-0").put("event", "reservation.created")
      .put("data", created.copy().put("seats", new io.vertx.core.json.JsonArray())));
    assertTrue(noSeats != null && noSeats.contains("/data"), noSeats);
    assertEquals(2, Contract.mismatches().size());
  }
}
