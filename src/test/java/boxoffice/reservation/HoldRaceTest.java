package boxoffice.reservation;

import boxoffice.bus.Addresses;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many buyers race for the seats of one event through HTTP; afterwards the invariants must hold. */
class HoldRaceTest extends ServiceTest {

  private static final int ROWS = 10;
  private static final int PER_ROW = 10;
  private final Random random = new Random(42);

  @Test
  void namedSeatHoldsNeverShareASeat(Vertx vertx, TestCluster cluster) {
    api.createEvent("race", ROWS, PER_ROW, 900);
    List<String> allSeats = Api.seatIds(ROWS, PER_ROW);
    List<List<String>> requests = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      List<String> seats = randomSeats(allSeats, 1 + random.nextInt(4));
      requests.add(seats);
      responses.add(api.hold("race", "user" + i, seats));
    }
    Future.join(responses).await();

    Map<String, String> holder = new HashMap<>();
    Set<String> refused = new HashSet<>();
    for (int i = 0; i < responses.size(); i++) {
      HttpResponse<Buffer> response = responses.get(i).result();
      JsonObject body = response.bodyAsJsonObject();
      if (response.statusCode() == 201) {
        assertEquals(requests.get(i), body.getJsonArray("seats").getList());
        for (Object seat : body.getJsonArray("seats")) {
          assertNull(holder.put((String) seat, body.getString("reservationId")), "seat " + seat + " held twice");
        }
      } else {
        assertEquals(409, response.statusCode(), body.encode());
        assertEquals("application/problem+json", response.getHeader("Content-Type"));
        List<Object> unavailable = body.getJsonArray("unavailable").getList();
        assertTrue(requests.get(i).containsAll(unavailable), "409 names only requested seats");
        unavailable.forEach(seat -> refused.add((String) seat));
      }
    }
    assertTrue(holder.size() > 0 && !refused.isEmpty(), "the race had winners and losers");

    EventState state = EventState.read(vertx, cluster, "race");
    state.assertInvariants();
    assertEquals(holder.size(), state.count("pending:"), "seats held equal the seats of the 201 answers");
    holder.forEach((seat, reservation) -> assertEquals("pending:" + reservation, state.seats().get(seat)));
    refused.forEach(seat -> assertNotNull(holder.get(seat), "409 named " + seat + ", which someone really holds"));
  }

  @Test
  void quantityHoldsNeverShareASeat(Vertx vertx, TestCluster cluster) {
    api.createEvent("quantities", ROWS, PER_ROW, 900);
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      responses.add(api.holdQuantity("quantities", "user" + i, 1 + random.nextInt(4)));
    }
    Future.join(responses).await();

    Set<String> held = new HashSet<>();
    int created = 0;
    for (Future<HttpResponse<Buffer>> f : responses) {
      JsonObject body = f.result().bodyAsJsonObject();
      if (f.result().statusCode() == 201) {
        created++;
        body.getJsonArray("seats").forEach(seat -> assertTrue(held.add((String) seat), "seat " + seat + " held twice"));
      } else {
        assertEquals(409, f.result().statusCode(), body.encode());
        assertEquals("urn:boxoffice:problem:insufficient", body.getString("type"));
      }
    }
    assertTrue(created > 25, "holds were granted until the seats ran out: " + created);

    EventState state = EventState.read(vertx, cluster, "quantities");
    state.assertInvariants();
    assertEquals(held.size(), state.count("pending:"));
    assertTrue(state.stats().get("available") < 4, "only a remainder smaller than some request is left");
  }

  @Test
  void confirmsAndCancelsRaceTheHolds(Vertx vertx, TestCluster cluster) {
    api.createEvent("mixed", ROWS, PER_ROW, 900);
    Map<String, AtomicInteger> published = new HashMap<>();
    for (String address : List.of(Addresses.RESERVATION_CREATED, Addresses.RESERVATION_CONFIRMED,
      Addresses.RESERVATION_CANCELLED)) {
      AtomicInteger count = new AtomicInteger();
      published.put(address, count);
      vertx.eventBus().<JsonObject>consumer(address, msg -> {
        if ("mixed".equals(msg.body().getString("eventId"))) {
          count.incrementAndGet();
        }
      }).completion().await();
    }

    List<String> allSeats = Api.seatIds(ROWS, PER_ROW);
    Map<String, String> finalStatus = Collections.synchronizedMap(new HashMap<>());
    AtomicInteger confirmed = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    AtomicInteger holds = new AtomicInteger();
    List<Future<?>> flows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String user = "user" + i;
      int choice = random.nextInt(10);
      flows.add(api.hold("mixed", user, randomSeats(allSeats, 1 + random.nextInt(3))).compose(held -> {
        if (held.statusCode() != 201) {
          assertEquals(409, held.statusCode(), held.bodyAsString());
          return Future.succeededFuture();
        }
        holds.incrementAndGet();
        String id = held.bodyAsJsonObject().getString("reservationId");
        finalStatus.put(id, "pending");
        if (choice < 4) {
          return api.confirm("mixed", id, user).map(r -> expect(r, 200, () -> {
            confirmed.incrementAndGet();
            finalStatus.put(id, "confirmed");
          }));
        } else if (choice < 7) {
          return api.cancel("mixed", id, user).map(r -> expect(r, 200, () -> {
            cancelled.incrementAndGet();
            finalStatus.put(id, "cancelled");
          }));
        } else if (choice < 8) {
          // confirm and cancel of one reservation at once: exactly one of them wins
          Future<HttpResponse<Buffer>> c = api.confirm("mixed", id, user);
          Future<HttpResponse<Buffer>> x = api.cancel("mixed", id, user);
          return Future.all(c, x).map(both -> {
            int winners = (c.result().statusCode() == 200 ? 1 : 0) + (x.result().statusCode() == 200 ? 1 : 0);
            assertEquals(1, winners, c.result().bodyAsString() + " / " + x.result().bodyAsString());
            assertEquals(409, (c.result().statusCode() == 200 ? x : c).result().statusCode());
            if (c.result().statusCode() == 200) {
              confirmed.incrementAndGet();
              finalStatus.put(id, "confirmed");
            } else {
              cancelled.incrementAndGet();
              finalStatus.put(id, "cancelled");
            }
            return null;
          });
        }
        return Future.succeededFuture();
      }));
    }
    Future.all(flows).await();

    EventState state = EventState.read(vertx, cluster, "mixed");
    state.assertInvariants();
    finalStatus.forEach((id, status) -> {
      HttpResponse<Buffer> read = api.get("/events/mixed/reservations/" + id).await();
      assertEquals(200, read.statusCode());
      assertEquals(status, read.bodyAsJsonObject().getString("status"), "status of " + id);
    });
    assertTrue(confirmed.get() > 0 && cancelled.get() > 0);
    assertEquals(holds.get(), published.get(Addresses.RESERVATION_CREATED).get(), "one created event per hold");
    assertEquals(confirmed.get(), published.get(Addresses.RESERVATION_CONFIRMED).get());
    assertEquals(cancelled.get(), published.get(Addresses.RESERVATION_CANCELLED).get());
  }

  private static Void expect(HttpResponse<Buffer> response, int status, Runnable then) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    then.run();
    return null;
  }

  private List<String> randomSeats(List<String> all, int n) {
    List<String> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, random);
    return shuffled.subList(0, n);
  }
}
