package boxoffice.metrics;

import boxoffice.Boxoffice;
import boxoffice.Config;
import boxoffice.testing.Api;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} of the whole service on the test cluster: the application's counters after
 * known calls, HTTP requests by route template, the event bus, the JVM; and no label made of an id.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class MetricsTest {

  // distinctive ids: none of them may appear in the metrics
  private static final String GALA = "gala7fz";
  private static final String LINE = "line7fz";
  private static final String SHORT = "short7fz";
  private static final String HOLDS = "/events/:eventId/reservations";

  @Test
  void countsHoldsByOutcomeAndRequestsByRouteTemplate(TestCluster cluster) throws Exception {
    PrometheusMeterRegistry registry = Metrics.registry();
    Vertx vertx = Metrics.vertx(registry, new VertxOptions());
    Boxoffice app = Boxoffice.deploy(vertx, Config.fromJson(TestService.config(cluster)), registry).await();
    Api api = new Api(vertx, app.httpPort());
    SseClient feed = null;
    try {
      api.createEvent(GALA, 1, 4, 900);
      JsonObject alice = created(api.hold(GALA, "alice", List.of("A1")));
      JsonObject bob = created(api.hold(GALA, "bob", List.of("A2")));
      created(api.holdQuantity(GALA, "carol", 1));
      assertEquals(409, api.hold(GALA, "dave", List.of("A1")).await().statusCode(), "A1 is taken");
      assertEquals(409, api.holdQuantity(GALA, "erin", 2).await().statusCode(), "one seat is left");
      assertEquals(200, api.confirm(GALA, alice.getString("reservationId"), "alice").await().statusCode());
      assertEquals(200, api.cancel(GALA, bob.getString("reservationId"), "bob").await().statusCode());
      assertEquals(404, api.get("/no/such/path7fz").await().statusCode());
      feed = SseClient.connect(vertx, app.httpPort(), GALA, null);
      assertEquals(200, feed.status());

      HttpResponse<Buffer> scrape = api.get("/metrics").await();
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"));
      String text = scrape.bodyAsString();
      assertEquals(3, value(text, "boxoffice_holds_total", "outcome", "created"));
      assertEquals(1, value(text, "boxoffice_holds_total", "outcome", "conflict"));
      assertEquals(1, value(text, "boxoffice_holds_total", "outcome", "insufficient"));
      assertEquals(0, value(text, "boxoffice_holds_total", "outcome", "not_found"));
      assertEquals(1, value(text, "boxoffice_holds_ended_total", "status", "confirmed"));
      assertEquals(1, value(text, "boxoffice_holds_ended_total", "status", "cancelled"));
      assertEquals(0, value(text, "boxoffice_holds_ended_total", "status", "expired"));
      assertEquals(1, value(text, "boxoffice_feed_subscribers"));
      assertEquals(1, value(text, "boxoffice_feed_events"));

      // HTTP requests by route template, method and status
      String requests = "vertx_http_server_response_time_seconds_count";
      assertEquals(3, value(text, requests, "route", HOLDS, "method", "POST", "code", "201"));
      assertEquals(2, value(text, requests, "route", HOLDS, "method", "POST", "code", "409"));
      assertEquals(1, value(text, requests,
        "route", HOLDS + "/:reservationId/confirm", "method", "POST", "code", "200"));
      assertEquals(1, value(text, requests, "route", "", "method", "GET", "code", "404"), "no route matched");
      // the event bus by address, the per-event feed addresses folded into one
      assertEquals(5, value(text, "vertx_eventbus_processed_total", "address", "boxoffice.reservation.hold"));
      assertEquals(1, value(text, "vertx_eventbus_handlers", "address", "boxoffice.feed.event.*"));
      // the JVM and the process
      assertTrue(text.contains("\njvm_memory_used_bytes{area=\"heap\""), "heap");
      assertTrue(text.contains("\njvm_gc_"), "GC");
      assertTrue(value(text, "jvm_threads_live_threads") > 0);
      assertTrue(value(text, "process_cpu_usage") >= 0);
      // no raw path, event id or reservation id makes a label
      assertNoneOf(text, GALA, alice.getString("reservationId"), "alice", "path7fz");

      // a waiter promoted when the holder cancels; a 1-second hold released by the sweeper
      api.createEvent(LINE, 1, 1, 900);
      JsonObject holder = created(api.hold(LINE, "holder", List.of("A1")));
      assertEquals(201, api.post("/events/" + LINE + "/waitlist",
        new JsonObject().put("userId", "wendy").put("quantity", 1)).await().statusCode());
      assertEquals(200, api.cancel(LINE, holder.getString("reservationId"), "holder").await().statusCode());
      api.createEvent(SHORT, 1, 1, 1);
      created(api.hold(SHORT, "sam", List.of("A1")));
      feed.close();
      feed = null;

      text = poll(api, t -> value(t, "boxoffice_waitlist_changes_total", "change", "promoted") == 1
        && value(t, "boxoffice_holds_ended_total", "status", "expired") == 1
        && value(t, "boxoffice_feed_subscribers") == 0, 15_000);
      assertEquals(5, value(text, "boxoffice_holds_total", "outcome", "created"), "promotions are not hold commands");
      assertEquals(1, value(text, "boxoffice_waitlist_changes_total", "change", "joined"));
      assertEquals(0, value(text, "boxoffice_waitlist_changes_total", "change", "left"));
      assertEquals(2, value(text, "boxoffice_holds_ended_total", "status", "cancelled"));
      assertEquals(1, value(text, "boxoffice_holds_ended_total", "status", "confirmed"));
    } finally {
      if (feed != null) {
        feed.close();
      }
      api.close();
      app.close().await();
      vertx.close().await();
    }
  }

  @Test
  void withoutMetricsTheEndpointIsNotFound(Vertx vertx, TestCluster cluster) {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    try {
      HttpResponse<Buffer> scrape = api.get("/metrics").await();
      assertEquals(404, scrape.statusCode(), scrape.bodyAsString());
      assertEquals("application/problem+json", scrape.getHeader("Content-Type"));
    } finally {
      api.close();
      app.close().await();
    }
  }

  private static void assertNoneOf(String text, String... ids) {
    for (String id : ids) {
      assertFalse(text.contains(id), () -> id + " appears in the metrics: "
        + text.lines().filter(line -> line.contains(id)).toList());
    }
  }

  private static JsonObject created(Future<HttpResponse<Buffer>> hold) {
    HttpResponse<Buffer> response = hold.await();
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static String poll(Api api, Predicate<String> until, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String text;
    do {
      Thread.sleep(100);
      text = api.get("/metrics").await().bodyAsString();
    } while (!until.test(text) && System.currentTimeMillis() < deadline);
    assertTrue(until.test(text), "the metrics did not reach the expected values in time:\n" + text);
    return text;
  }

  /**
   * The value of the one sample of {@code name} that has all the given labels (name, value, ...); NaN
   * when there is none. Fails when several samples match, so a test cannot pick one by chance.
   */
  private static double value(String text, String name, String... labels) {
    double found = Double.NaN;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= series.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        assertTrue(Double.isNaN(found), "several samples of " + name + " match " + List.of(labels));
        found = Double.parseDouble(line.substring(space + 1));
      }
    }
    return found;
  }
}
