package boxoffice.http;

import boxoffice.Boxoffice;
import boxoffice.Config;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import boxoffice.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input, generated: random and malformed ids, paths, bodies and headers (Idempotency-Key,
 * Last-Event-ID, Content-Type, Authorization) at every route of a service with authentication on,
 * over real sockets. Whatever comes in: never a 5xx; a 4xx is always problem+json naming its status;
 * and after every refused call the event's state (seat map, counts, expiries, waitlist, users,
 * change log) and the keys of its slot are as they were. The one record a refusal may add is its
 * answer kept under the caller's Idempotency-Key, so that a retry gets the same answer.
 */
class HostileInputTest {

  private static final String EVENT = "target";
  private static final String ADMIN_KEY = "admin-k3y";
  private static final AtomicInteger REQUESTS = new AtomicInteger();
  private static final Map<Integer, AtomicInteger> STATUSES = new ConcurrentSkipListMap<>();
  /** {method, path template}: every route of the API, {e} the event, {r} a reservation, {u} a user. */
  private static final List<String[]> ROUTES = List.of(
    new String[] {"POST", "/events"}, new String[] {"GET", "/events"}, new String[] {"GET", "/events/{e}"},
    new String[] {"DELETE", "/events/{e}"}, new String[] {"GET", "/events/{e}/seats"},
    new String[] {"POST", "/events/{e}/reservations"}, new String[] {"GET", "/events/{e}/reservations/{r}"},
    new String[] {"POST", "/events/{e}/reservations/{r}/confirm"},
    new String[] {"POST", "/events/{e}/reservations/{r}/cancel"}, new String[] {"POST", "/events/{e}/waitlist"},
    new String[] {"GET", "/events/{e}/waitlist/{u}"}, new String[] {"DELETE", "/events/{e}/waitlist/{u}"},
    new String[] {"GET", "/events/{e}/changes"}, new String[] {"GET", "/health/ready"});

  private static Vertx vertx;
  private static Boxoffice app;
  private static TestCluster cluster;
  private static Tokens issuer;
  private static HttpClient http;
  private static RedisConnection master;
  private static String reservation;

  @BeforeContainer
  static void start() throws Exception {
    cluster = TestCluster.shared();
    cluster.flush();
    vertx = Vertx.vertx();
    issuer = Tokens.issuer(vertx, "RS256");
    JsonObject config = TestService.config(cluster).put("admin", new JsonObject().put("apiKey", ADMIN_KEY))
      .put("auth", new JsonObject().put("jwt", issuer.config()));
    app = Boxoffice.deploy(vertx, Config.fromJson(config)).await();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertEquals(201, send("POST", "/events", Map.of("X-Admin-Key", ADMIN_KEY, "Content-Type", "application/json"),
      new JsonObject().put("id", EVENT).put("name", "Target").put("venue", "Hall").put("price", 1).put("rows", 1)
        .put("seatsPerRow", 3).encode()).status());
    Map<String, String> owner = Map.of("Authorization", "Bearer " + issuer.token("owner"),
      "Content-Type", "application/json");
    Answer held = send("POST", "/events/" + EVENT + "/reservations", owner, "{\"quantity\":3}");
    reservation = new JsonObject(held.body()).getString("reservationId");
    int node = cluster.masterOf(TestCluster.slot("{event:" + EVENT + "}"));
    master = Redis.createClient(vertx, "redis://127.0.0.1:" + cluster.port(node)).connect().await();
    assertEquals(201, send("POST", "/events/" + EVENT + "/waitlist", Map.of("Authorization", "Bearer "
      + issuer.token("waiter"), "Content-Type", "application/json"), "{\"quantity\":1}").status());
  }

  @AfterContainer
  static void stop() {
    System.out.printf("hostile input: %d generated requests, by status %s%n", REQUESTS.get(), STATUSES);
    if (app != null) {
      app.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Property(tries = 400)
  void anythingAtAnyRouteIsAnsweredCleanlyAndRefusalsChangeNothing(@ForAll("requests") Call call) throws Exception {
    check(call);
  }

  @Property(tries = 300)
  void buyerCallsWithAnyHeadersAndBodies(@ForAll("buyerCalls") Call call) throws Exception {
    check(call);
  }

  private static void check(Call call) throws Exception {
    String before = state();
    Answer answer = send(call.method(), call.path(), call.headers(), call.body());
    int status = answer.status();
    STATUSES.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    assertTrue(status < 500, "no 5xx: " + status + " " + answer.body() + " for " + call);
    if (status >= 400) {
      assertEquals("application/problem+json", answer.contentType(), status + " " + answer.body() + " for " + call);
      JsonObject problem = new JsonObject(answer.body());
      assertTrue(problem.getString("type").startsWith("urn:boxoffice:problem:"), problem.encode());
      assertEquals(status, problem.getInteger("status"), problem.encode());
      assertEquals(before, state(), "refused, and nothing changed: " + call);
    }
  }

  /** A request, as generated. */
  record Call(String method, String path, Map<String, String> headers, String body) {
  }

  /** What came back: the status, the content type, the body (none for a live feed that opened). */
  record Answer(int status, String contentType, String body) {
  }

  @Provide
  Arbitrary<Call> requests() {
    return Combinators.combine(Arbitraries.of(ROUTES), ids(), ids(), ids(), headers(), bodies())
      .as((route, e, r, u, headers, body) -> new Call(route[0], path(route[1], e, r, u), headers, body));
  }

  @Provide
  Arbitrary<Call> buyerCalls() {
    Arbitrary<String[]> buyerRoutes = Arbitraries.of(ROUTES.subList(5, 12));
    return Combinators.combine(buyerRoutes, Arbitraries.of(EVENT).injectNull(0.1), Arbitraries.of(reservation),
        Arbitraries.of("owner", "waiter", "stranger"), headers(), bodies())
      .as((route, e, r, u, headers, body) -> new Call(route[0], path(route[1], e == null ? "nosuch" : e, r, u),
        headers, body));
  }

  /** The path; a delete never names the target event, which every call of the run needs. */
  private static String path(String template, String e, String r, String u) {
    String event = template.equals("/events/{e}") && EVENT.equals(e) ? "other" : e;
    return template.replace("{e}", encode(event)).replace("{r}", encode(r)).replace("{u}", encode(u));
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Ids good and bad: the event's own, made-up ones, braces, colons, spaces, unicode, empty, too long. */
  private static Arbitrary<String> ids() {
    return Arbitraries.oneOf(
      Arbitraries.of(EVENT, "owner", "waiter", "AAAAAAAAAAAAAAAAAAAAAA"),
      Arbitraries.strings().alpha().numeric().withChars('_', '-').ofMinLength(1).ofMaxLength(64),
      Arbitraries.strings().withChars("{}:/ .%é\u0000\u202e*?[]\"'\\").ofMinLength(1).ofMaxLength(8),
      Arbitraries.strings().ofMinLength(0).ofMaxLength(100),
      Arbitraries.strings().alpha().ofLength(65));
  }

  private static Arbitrary<Map<String, String>> headers() {
    Arbitrary<String> printable = Arbitraries.strings().ascii().ofMaxLength(200)
      .filter(s -> s.chars().allMatch(c -> c >= 32 && c < 127));
    // mostly good tokens and JSON, so that most calls get past authentication and reach the checks behind
    Arbitrary<String> authorization = Arbitraries.frequencyOf(
      Tuple.of(6, Arbitraries.of("owner", "waiter", "stranger").map(u -> "Bearer " + issuer.token(u))),
      Tuple.of(1, Arbitraries.of("owner", "root").map(u -> "Bearer " + issuer.token(u, "admin"))),
      Tuple.of(1, Arbitraries.of("owner").map(u -> "Bearer " + issuer.expired(u))),
      Tuple.of(1, Arbitraries.of("owner").map(u -> "Bearer " + issuer.unsigned(u))),
      Tuple.of(1, Arbitraries.of("owner").map(u -> "Bearer " + issuer.tampered(u, "waiter"))),
      Tuple.of(1, printable.map(s -> "Bearer " + s)), Tuple.of(1, printable)).injectNull(0.1);
    Arbitrary<String> contentType = Arbitraries.frequencyOf(
      Tuple.of(8, Arbitraries.of("application/json", "application/json; charset=utf-8")),
      Tuple.of(1, Arbitraries.of("text/plain", "application/x-www-form-urlencoded", "application/problem+json")),
      Tuple.of(1, printable)).injectNull(0.05);
    Arbitrary<String> idempotency = Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(128),
      printable).injectNull(0.6);
    Arbitrary<String> lastEventId = Arbitraries.oneOf(Arbitraries.of("0-0", "1764262800000-0", "99999999999999999999-1"),
      printable).injectNull(0.6);
    Arbitrary<String> adminKey = Arbitraries.oneOf(Arbitraries.just(ADMIN_KEY), printable).injectNull(0.7);
    return Combinators.combine(authorization, contentType, idempotency, lastEventId, adminKey)
      .as((auth, type, idem, last, admin) -> {
        Map<String, String> headers = new TreeMap<>();
        put(headers, "Authorization", auth);
        put(headers, "Content-Type", type);
        put(headers, "Idempotency-Key", idem);
        put(headers, "Last-Event-ID", last);
        put(headers, "X-Admin-Key", admin);
        return headers;
      });
  }

  private static void put(Map<String, String> headers, String name, String value) {
    if (value != null && !value.isEmpty() && !value.isBlank()) {
      headers.put(name, value.strip());
    }
  }

  /** Bodies: near-valid objects with random values, other JSON, and what is not JSON at all. */
  private static Arbitrary<String> bodies() {
    Arbitrary<Object> values = Arbitraries.oneOf(
      Arbitraries.integers().between(-3, 20).map(i -> (Object) i),
      Arbitraries.of(0, 1, 2, 1000, Integer.MAX_VALUE, -1).map(i -> (Object) i),
      Arbitraries.doubles().map(d -> (Object) d),
      Arbitraries.strings().ofMaxLength(80).map(s -> (Object) s),
      Arbitraries.of("A1", "A2", "A3", "B1", "ZZ99").list().ofMaxSize(12).map(l -> (Object) new io.vertx.core.json.JsonArray(l)),
      Arbitraries.of(true, false).map(b -> (Object) b)).injectNull(0.05);
    Arbitrary<String> objects = Combinators.combine(
        Arbitraries.subsetOf("userId", "quantity", "seats", "id", "name", "venue", "price", "rows", "seatsPerRow",
          "seatIds", "holdSeconds", "endsAt"),
        values.list().ofSize(12))
      .as((fields, picked) -> {
        JsonObject body = new JsonObject();
        List<String> names = new ArrayList<>(fields);
        for (int i = 0; i < names.size(); i++) {
          body.put(names.get(i), picked.get(i));
        }
        return body.encode();
      });
    Arbitrary<String> junk = Arbitraries.oneOf(
      Arbitraries.of("", "null", "[]", "[1,2]", "\"text\"", "42", "{", "{\"userId\":", "{\"quantity\":1e400}",
        "{\"seats\":[\"A1\",\"A1\"]}", "{\"quantity\":1}{\"quantity\":2}"),
      Arbitraries.strings().ofMaxLength(300));
    return Arbitraries.frequencyOf(Tuple.of(3, objects), Tuple.of(1, junk));
  }

  private static Answer send(String method, String path, Map<String, String> headers, String body) throws Exception {
    REQUESTS.incrementAndGet();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
      .timeout(Duration.ofSeconds(10))
      .method(method, body == null || method.equals("GET") || method.equals("DELETE")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    String type = response.headers().firstValue("Content-Type").orElse("");
    try (InputStream in = response.body()) {
      // a live feed that opened streams for ever: only its head counts here
      return new Answer(response.statusCode(), type, type.startsWith("text/event-stream") ? ""
        : new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** The event's state and the keys of its slot but the kept answers of idempotency keys, as text to compare. */
  private static String state() {
    String tag = "{event:" + EVENT + "}";
    List<Request> reads = List.of(
      Request.cmd(Command.HGETALL).arg(tag + ":seats"), Request.cmd(Command.HGETALL).arg(tag + ":stats"),
      Request.cmd(Command.ZRANGE).arg(tag + ":expiry").arg(0).arg(-1).arg("WITHSCORES"),
      Request.cmd(Command.ZRANGE).arg(tag + ":waitlist").arg(0).arg(-1).arg("WITHSCORES"),
      Request.cmd(Command.HGETALL).arg(tag + ":users"), Request.cmd(Command.XLEN).arg(tag + ":changes"),
      Request.cmd(Command.HGETALL).arg(tag + ":res:" + reservation),
      Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(TestCluster.slot(tag)).arg(100_000));
    List<Response> read = master.batch(reads).await();
    List<String> keys = read.get(read.size() - 1).stream().map(Response::toString)
      .filter(key -> !key.startsWith(tag + ":idem:")).sorted().toList();
    return read.subList(0, read.size() - 1) + " " + keys;
  }
}
