package boxoffice.resilience;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.Load;
import boxoffice.testing.LoopbackCluster;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every node of the cluster is SIGKILLed at once under load, with persistence on (an append-only
 * file, fsync every second, as the lab keeps it), then the cluster is started again from its files:
 * every sale answered 200 before the crash is still sold, every event is consistent, and the service,
 * left running, serves again by itself.
 */
@ExtendWith(VertxExtension.class)
class CrashTest {

  private static LoopbackCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LoopbackCluster.start(true);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      Path dir = cluster.dir();
      cluster.close();
      assertFalse(Files.exists(dir), "the cluster's folder, its data with it, is deleted");
    }
  }

  @Test
  void everyNodeDiesAtOnceAndTheSalesSurvive(Vertx vertx) throws Exception {
    JsonObject config = TestService.config(cluster.nodes(), new JsonObject());
    Boxoffice app = TestService.start(vertx, config);
    Api api = new Api(vertx, app.httpPort());
    List<String> events = new ArrayList<>();
    for (int third = 0; third < 3; third++) {
      for (int i = 0; i < 2; i++) {
        String id = TestCluster.eventIdInThird("crash" + i + "x", third);
        api.createEvent(id, 50, 100, 900);
        events.add(id);
      }
    }
    Load load = Load.start(vertx, api, events, 24);
    try {
      Thread.sleep(3000);
      long crash = System.currentTimeMillis();
      cluster.killAll();
      List<Load.Sale> salesBefore = load.sales();
      List<Load.Hold> holdsBefore = load.holds();
      Thread.sleep(1000);
      long restart = System.currentTimeMillis();
      cluster.startAll();
      cluster.awaitWhole();
      long whole = System.currentTimeMillis();
      // the service was not touched: it must find the nodes again by itself
      LoopbackCluster.await("every event to take holds again", 30_000, () -> events.stream().allMatch(e ->
        !load.calls(c -> c.eventId().equals(e) && c.op().equals("hold") && c.status() == 201 && c.start() >= whole)
          .isEmpty()));
      long served = System.currentTimeMillis();
      Thread.sleep(2000);
      load.stop();

      Map<String, EventState> states = new HashMap<>();
      for (String event : events) {
        states.put(event, EventState.read(vertx, cluster.address(cluster.masterOf(TestCluster.slot("{event:" + event + "}"))), event));
      }
      long salesLost = salesBefore.stream().filter(s -> s.seats().stream()
        .anyMatch(seat -> !("sold:" + s.reservationId()).equals(states.get(s.eventId()).seats().get(seat)))).count();
      long holdsLost = holdsBefore.stream()
        .filter(h -> !states.get(h.eventId()).reservations().containsKey(h.reservationId())).count();
      List<Load.Call> during = load.calls(c -> c.end() >= crash && c.start() < whole);
      System.out.printf("crash: every node SIGKILLed %d ms into the load, started again 1 s later; the cluster whole"
          + " %d ms after the start, every event served %d ms after it; before the crash %d sales answered 200, %d lost;"
          + " %d holds answered 201, %d lost; calls meanwhile: %s; after: %s%n",
        crash - load.calls(c -> true).stream().mapToLong(Load.Call::start).min().orElse(crash),
        whole - restart, served - restart, salesBefore.size(), salesLost, holdsBefore.size(), holdsLost,
        Load.summary(during), Load.summary(load.calls(c -> c.start() >= whole)));

      assertFalse(salesBefore.isEmpty(), "sales were made before the crash");
      assertTrue(salesLost == 0, salesLost + " sales answered 200 before the crash are lost");
      assertTrue(load.calls(c -> c.start() >= served).stream().allMatch(Load.Call::ok),
        "once served again, every call succeeds: " + Load.summary(load.calls(c -> c.start() >= served)));
      Scenarios.assertConsistent(states::get, load, events);
    } finally {
      load.stop();
      api.close();
      app.close().await();
    }
  }
}
