package boxoffice.reservation;

import boxoffice.Boxoffice;
import boxoffice.Config;
import boxoffice.metrics.Metrics;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event's records corrupted on purpose (a counter, a seat): every script that would change what
 * rests on them refuses with an error instead of writing, which is answered as a 500 problem,
 * counted in {@code boxoffice_drift_total} and logged; nothing is sold or released twice.
 */
@ExtendWith(RedisClusterExtension.class)
class DriftTest {

  private TestCluster cluster;
  private Vertx vertx;
  private Boxoffice app;
  private Api api;

  @BeforeEach
  void start(TestCluster cluster) {
    this.cluster = cluster;
    PrometheusMeterRegistry registry = Metrics.registry();
    vertx = Metrics.vertx(registry, new VertxOptions());
    app = Boxoffice.deploy(vertx, Config.fromJson(TestService.config(cluster)), registry).await();
    api = new Api(vertx, app.httpPort());
  }

  @AfterEach
  void stop() {
    api.close();
    app.close().await();
    vertx.close().await();
  }

  @Test
  void aSeatThatIsNotHeldByItsReservationIsNeitherSoldNorReleased() {
    api.createEvent("drift1", 1, 4, 900);
    String rid = api.hold("drift1", "ann", List.of("A1", "A2")).await().bodyAsJsonObject().getString("reservationId");
    corrupt("drift1", "hset", "{event:drift1}:seats", "A2", "sold:someone-else");
    EventState before = EventState.read(vertx, cluster, "drift1");

    assertDrift(api.confirm("drift1", rid, "ann").await());
    assertDrift(api.cancel("drift1", rid, "ann").await());

    EventState after = EventState.read(vertx, cluster, "drift1");
    assertEquals(before.seats(), after.seats(), "no seat changed");
    assertEquals(before.stats(), after.stats(), "no counter moved");
    assertEquals("pending", after.reservations().get(rid).get("status"), "the reservation is still pending");
    assertEquals(2.0, drifts("confirm") + drifts("cancel"), "each refusal counted");
  }

  @Test
  void aSeatMarkedFreeThatIsTakenIsNotPickedForASecondBuyer() {
    api.createEvent("drift2", 1, 4, 900);
    String rid = api.hold("drift2", "ann", List.of("A1")).await().bodyAsJsonObject().getString("reservationId");
    // A1 is ann's, but the free bitmap and the counter say all four seats are free again
    corrupt("drift2", "setbit", "{event:drift2}:free", "0", "1");
    corrupt("drift2", "hset", "{event:drift2}:stats", "available", "4", "pending", "0");

    assertDrift(api.holdQuantity("drift2", "bob", 1).await());
    assertEquals("pending:" + rid, EventState.read(vertx, cluster, "drift2").seats().get("A1"), "A1 is still ann's only");
    assertEquals(1.0, drifts("hold"));
  }

  @Test
  void aCounterAboveTheFreeSeatsIsAnErrorNotALastSeatPickedTwice() {
    api.createEvent("drift3", 1, 4, 900);
    assertEquals(201, api.holdQuantity("drift3", "ann", 4).await().statusCode());
    corrupt("drift3", "hset", "{event:drift3}:stats", "available", "3");
    EventState before = EventState.read(vertx, cluster, "drift3");

    assertDrift(api.holdQuantity("drift3", "bob", 2).await());
    assertEquals(before.seats(), EventState.read(vertx, cluster, "drift3").seats(), "no seat changed");
    assertEquals(1.0, drifts("hold"));
  }

  private void corrupt(String eventId, String... command) {
    cluster.cli(cluster.masterOf(TestCluster.slot("{event:" + eventId + "}")), command);
  }

  private static void assertDrift(HttpResponse<Buffer> response) {
    assertEquals(500, response.statusCode(), response.bodyAsString());
    JsonObject problem = response.bodyAsJsonObject();
    assertEquals("urn:boxoffice:problem:inconsistent-state", problem.getString("type"), problem.encode());
    assertTrue(!problem.getString("detail").contains("DRIFT"), "no Redis text in the answer: " + problem);
  }

  private double drifts(String script) {
    String metrics = api.get("/metrics").await().bodyAsString();
    return metrics.lines()
      .filter(line -> line.startsWith("boxoffice_drift_total{") && line.contains("script=\"" + script + "\""))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
      .sum();
  }
}
