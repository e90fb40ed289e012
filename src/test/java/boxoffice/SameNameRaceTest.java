package boxoffice;

import boxoffice.testing.ChangeLog;
import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.SseClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The writes that one client may race against itself or others under one name: creating an event
 * of one id, joining and leaving a waitlist as one user. Each must happen once, whoever wins.
 */
class SameNameRaceTest extends ServiceTest {

  private static final int RACERS = 32;

  private static List<HttpResponse<Buffer>> race(IntFunction<Future<HttpResponse<Buffer>>> request) {
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      calls.add(request.apply(i));
    }
    Future.all(calls).await();
    return calls.stream().map(Future::result).toList();
  }

  private static Map<Integer, Long> statuses(List<HttpResponse<Buffer>> responses) {
    return responses.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
  }

  private long logged(String eventId, String type) {
    return ChangeLog.read(vertx, cluster, eventId).stream().map(SseClient.Event::type).filter(type::equals).count();
  }

  @Test
  void concurrentCreatesOfOneEventMakeOneEvent() {
    List<HttpResponse<Buffer>> creates = race(i -> api.post("/events", new JsonObject().put("id", "contested")
      .put("name", "Show " + i).put("venue", "Hall").put("price", 10).put("rows", 1 + i % 4).put("seatsPerRow", 10)));
    assertEquals(Map.of(201, 1L, 409, (long) RACERS - 1), statuses(creates));
    JsonObject winner = creates.stream().filter(r -> r.statusCode() == 201).findFirst().orElseThrow().bodyAsJsonObject();
    JsonObject stored = api.get("/events/contested").await().bodyAsJsonObject();
    assertEquals(winner.getString("name"), stored.getString("name"));
    assertEquals(winner.getInteger("totalSeats"), stored.getInteger("totalSeats"));
    assertEquals(winner.getInteger("totalSeats"), stored.getInteger("available"));
    assertEquals(1, logged("contested", "event.created"));
    EventState.read(vertx, cluster, "contested").assertInvariants();
  }

  @Test
  void concurrentJoinsAndLeavesOfOneUserHappenOnce() {
    api.createEvent("full", 1, 2, 900);
    assertEquals(201, api.holdQuantity("full", "holder", 2).await().statusCode());
    JsonObject entry = new JsonObject().put("userId", "ann").put("quantity", 1);

    List<HttpResponse<Buffer>> joins = race(i -> api.post("/events/full/waitlist", entry));
    assertEquals(Map.of(201, 1L, 200, (long) RACERS - 1), statuses(joins));
    joins.forEach(join -> assertEquals(1, join.bodyAsJsonObject().getInteger("position"), join.bodyAsString()));
    assertEquals(1, api.get("/events/full").await().bodyAsJsonObject().getInteger("waitlist"));

    List<HttpResponse<Buffer>> leaves = race(i -> api.request(HttpMethod.DELETE, "/events/full/waitlist/ann").send());
    assertEquals(Map.of(204, 1L, 404, (long) RACERS - 1), statuses(leaves));
    assertEquals(0, api.get("/events/full").await().bodyAsJsonObject().getInteger("waitlist"));
    assertEquals(1, logged("full", "waitlist.joined"));
    assertEquals(1, logged("full", "waitlist.left"));
    EventState.read(vertx, cluster, "full").assertInvariants();
  }
}
