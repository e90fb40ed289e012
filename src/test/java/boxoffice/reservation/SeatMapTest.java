package boxoffice.reservation;

import boxoffice.store.Keys;
import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seat maps are rendered once per change of the event and then served from memory: a map read after
 * a change was answered must show it, however many other changes and reads race it.
 */
class SeatMapTest extends ServiceTest {

  private static final int BUYERS = 8;
  private static final int PER_ROW = 10;
  private static final int STEPS = 40;

  /**
   * No sweeper: expired holds are released by the next hold, in the test's own order, so that the
   * seat hash a test reads cannot change before the map read that it checks.
   */
  @Override
  protected JsonObject config(TestCluster cluster) {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("sweeper").put("intervalMs", 3_600_000);
    return config;
  }

  /**
   * Each buyer owns one row, so nobody else changes its seats: after every change it makes (hold,
   * confirm, cancel) the map it reads next must show its row exactly as it left it, while the other
   * buyers keep changing the event and reading the map too.
   */
  @Test
  void everyReadShowsTheChangesAnsweredBeforeIt() {
    api.createEvent("map", BUYERS, PER_ROW, 900);
    AtomicInteger reads = new AtomicInteger();
    List<Future<Map<String, String>>> buyers = new ArrayList<>();
    for (int b = 0; b < BUYERS; b++) {
      Buyer buyer = new Buyer(String.valueOf((char) ('A' + b)), new Random(b));
      buyers.add(buyer.walk(STEPS, reads).map(done -> buyer.expected));
    }
    Future.all(buyers).await();

    Map<String, String> expected = new HashMap<>();
    buyers.forEach(buyer -> expected.putAll(buyer.result()));
    assertEquals(new JsonObject(new HashMap<>(expected)), seatMap("map").await());
    assertEquals(BUYERS * STEPS, reads.get());
  }

  @Test
  void aMapIsTheSameForEveryReaderAndFollowsAQuantityHold() {
    api.createEvent("same", 3, 4, 900);
    List<Future<JsonObject>> reads = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      reads.add(seatMap("same"));
    }
    Future.all(reads).await();
    reads.forEach(read -> assertEquals(12, read.result().stream().filter(e -> e.getValue().equals("available")).count()));

    HttpResponse<Buffer> hold = api.holdQuantity("same", "u1", 3).await();
    assertEquals(201, hold.statusCode());
    JsonObject after = seatMap("same").await();
    for (Object seat : hold.bodyAsJsonObject().getJsonArray("seats")) {
      assertEquals("held", after.getString((String) seat));
    }
    assertEquals(9, after.stream().filter(e -> e.getValue().equals("available")).count());
  }

  /**
   * Through holds, confirms, cancels and expiries, the map must equal the seat hash after every
   * change, also once the change log (whose last id is the map's version) was trimmed.
   */
  @Test
  void mapsFollowingTheChangeLogEqualTheSeatHash() throws Exception {
    api.createEvent("log", 4, 10, 3); // 3 s holds, so that some expire between rounds
    Random random = new Random(3);
    assertEquals(truth("log"), seatMap("log").await());
    for (int round = 0; round < 6; round++) {
      for (int i = 0; i < 8; i++) {
        HttpResponse<Buffer> hold = api.holdQuantity("log", "u" + round + "x" + i, 1 + random.nextInt(3)).await();
        assertTrue(hold.statusCode() == 201 || hold.statusCode() == 409, hold.bodyAsString());
        if (hold.statusCode() == 201 && random.nextInt(3) > 0) {
          JsonObject held = hold.bodyAsJsonObject();
          String reservation = held.getString("reservationId");
          assertEquals(200, (random.nextBoolean() ? api.confirm("log", reservation, held.getString("userId"))
            : api.cancel("log", reservation, held.getString("userId"))).await().statusCode());
        }
        assertEquals(truth("log"), seatMap("log").await(), "round " + round + ", change " + i);
      }
      if (round == 2) {
        Thread.sleep(3200); // the holds left pending expire
      }
      if (round == 4) {
        cluster.cli(cluster.masterOf(TestCluster.slot(Keys.changes("log"))), "XTRIM", Keys.changes("log"), "MAXLEN", "1");
      }
    }
  }

  /** The seat hash as a map would show it. */
  private JsonObject truth(String eventId) {
    JsonObject map = new JsonObject();
    EventState.read(vertx, cluster, eventId).seats().forEach((seat, state) ->
      map.put(seat, state.startsWith("pending:") ? "held" : state.startsWith("sold:") ? "sold" : "available"));
    return map;
  }

  private Future<JsonObject> seatMap(String eventId) {
    return api.get("/events/" + eventId + "/seats").map(response -> {
      assertEquals(200, response.statusCode(), response.bodyAsString());
      assertEquals("application/json", response.getHeader("Content-Type"));
      return response.bodyAsJsonObject();
    });
  }

  /** A buyer changing the seats of its own row at random, and checking the map after each change. */
  private final class Buyer {
    final String row;
    final Random random;
    final Map<String, String> expected = new HashMap<>();
    final Map<String, String> holds = new HashMap<>();

    Buyer(String row, Random random) {
      this.row = row;
      this.random = random;
      for (int i = 1; i <= PER_ROW; i++) {
        expected.put(row + i, "available");
      }
    }

    Future<Void> walk(int steps, AtomicInteger reads) {
      if (steps == 0) {
        return Future.succeededFuture();
      }
      String seat = row + (1 + random.nextInt(PER_ROW));
      return change(seat)
        .compose(changed -> seatMap("map"))
        .map(map -> {
          reads.incrementAndGet();
          expected.forEach((id, state) -> assertEquals(state, map.getString(id), "seat " + id));
          return map;
        })
        .compose(checked -> walk(steps - 1, reads));
    }

    private Future<Void> change(String seat) {
      String state = expected.get(seat);
      if (state.equals("available")) {
        return api.hold("map", "buyer" + row, List.of(seat)).map(response -> {
          assertEquals(201, response.statusCode(), response.bodyAsString());
          holds.put(seat, response.bodyAsJsonObject().getString("reservationId"));
          expected.put(seat, "held");
          return null;
        });
      }
      if (state.equals("held")) {
        boolean confirm = random.nextBoolean();
        String reservation = holds.remove(seat);
        return (confirm ? api.confirm("map", reservation, "buyer" + row) : api.cancel("map", reservation, "buyer" + row))
          .map(response -> {
            assertEquals(200, response.statusCode(), response.bodyAsString());
            expected.put(seat, confirm ? "sold" : "available");
            return null;
          });
      }
      return Future.succeededFuture(); // sold: nothing more to do with it
    }
  }
}
