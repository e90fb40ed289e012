package boxoffice.http;

import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What slows or cuts a client: holds and joins over limits.holdsPerSecond (per client address in the
 * lab mode) answer 429 with Retry-After; an idle connection is closed after http.idleTimeoutSeconds;
 * live feeds past feed.maxSubscribers answer 503; a request line or headers over the limits answer
 * 414 or 431; all as problem+json.
 */
class LimitsTest extends ServiceTest {

  @Override
  protected JsonObject config(TestCluster cluster) {
    JsonObject config = TestService.config(cluster)
      .put("limits", new JsonObject().put("holdsPerSecond", 5).put("burst", 5))
      .put("feed", new JsonObject().put("heartbeatMs", 500).put("maxSubscribers", 2));
    config.getJsonObject("http").put("idleTimeoutSeconds", 2);
    return config;
  }

  @Test
  void holdsAndJoinsOverTheRateAreRefusedWithRetryAfter() throws InterruptedException {
    api.createEvent("rated", 10, 10, 900);
    List<Future<HttpResponse<Buffer>>> holds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      holds.add(api.holdQuantity("rated", "u" + i, 1));
    }
    Future.join(holds).await();
    Map<Integer, Long> statuses = holds.stream().collect(Collectors.groupingBy(h -> h.result().statusCode(),
      Collectors.counting()));
    long made = statuses.getOrDefault(201, 0L);
    assertTrue(made >= 5 && made <= 6, "the burst, and what a second refilled meanwhile: " + statuses);
    assertEquals(20 - made, statuses.getOrDefault(429, 0L), statuses.toString());
    HttpResponse<Buffer> refused = holds.stream().map(Future::result).filter(h -> h.statusCode() == 429)
      .findFirst().orElseThrow();
    assertEquals("urn:boxoffice:problem:rate-limited", refused.bodyAsJsonObject().getString("type"));
    assertTrue(Integer.parseInt(refused.getHeader("Retry-After")) >= 1, refused.headers().toString());
    assertEquals(made, EventState.read(vertx, cluster, "rated").stats().get("pending"), "refused holds held nothing");

    Thread.sleep(1200);
    assertEquals(201, api.holdQuantity("rated", "later", 1).await().statusCode(), "the bucket refilled");
    List<Future<HttpResponse<Buffer>>> joins = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      joins.add(api.post("/events/rated/waitlist", new JsonObject().put("userId", "w" + i).put("quantity", 1)));
    }
    Future.join(joins).await();
    assertTrue(joins.stream().filter(j -> j.result().statusCode() == 429).count() >= 4, "joins count too: "
      + joins.stream().map(j -> j.result().statusCode()).toList());
  }

  @Test
  void idleConnectionsAreClosedAndTooLongRequestsAreProblems() throws IOException {
    try (Socket idle = new Socket("127.0.0.1", app.httpPort())) {
      idle.setSoTimeout(6000);
      long opened = System.currentTimeMillis();
      InputStream in = idle.getInputStream();
      try {
        assertEquals(-1, in.read(), "the server closes an idle connection");
      } catch (SocketTimeoutException e) {
        throw new AssertionError("an idle connection was still open after 6 s");
      }
      assertTrue(System.currentTimeMillis() - opened >= 1500, "not before the idle timeout");
    }
    HttpResponse<Buffer> longLine = api.get("/events/" + "x".repeat(5000)).await();
    assertEquals(414, longLine.statusCode());
    assertEquals("application/problem+json", longLine.getHeader("Content-Type"));
    assertEquals("urn:boxoffice:problem:uri-too-long", longLine.bodyAsJsonObject().getString("type"));
    HttpResponse<Buffer> bigHeaders = api.request(HttpMethod.GET, "/events").putHeader("X-Filler", "y".repeat(10_000))
      .send().await();
    assertEquals(431, bigHeaders.statusCode());
    assertEquals("urn:boxoffice:problem:headers-too-large", bigHeaders.bodyAsJsonObject().getString("type"));
  }

  @Test
  void feedsPastTheCapAreRefusedUntilOneCloses() {
    api.createEvent("watched", 1, 4, 900);
    SseClient first = SseClient.connect(vertx, app.httpPort(), "watched", null);
    SseClient second = SseClient.connect(vertx, app.httpPort(), "watched", null);
    HttpResponse<Buffer> third = api.get("/events/watched/changes").await();
    assertEquals(503, third.statusCode(), third.bodyAsString());
    assertEquals("urn:boxoffice:problem:too-many-feeds", third.bodyAsJsonObject().getString("type"));
    assertEquals(200, first.status());
    assertEquals(200, second.status());
    first.close();
    long deadline = System.currentTimeMillis() + 5000;
    SseClient again;
    do {
      again = SseClient.connect(vertx, app.httpPort(), "watched", null);
      if (again.status() != 200) {
        again.close();
      }
    } while (again.status() != 200 && System.currentTimeMillis() < deadline);
    assertEquals(200, again.status(), "a place came free");
    again.close();
    second.close();
  }
}
