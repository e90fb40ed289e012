package boxoffice.reservation;

import boxoffice.testing.Api;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hold.maxSeatsPerUser: one user racing many concurrent holds (named seats and quantities) never gets
 * past the cap, whatever the interleaving, since the scripts count the user's seats; a cancel makes
 * room again; the waitlist keeps to the cap too, at the join and at the promotion.
 */
class UserCapTest extends ServiceTest {

  private static final int CAP = 4;

  @Override
  protected JsonObject config(TestCluster cluster) {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("hold").put("maxSeatsPerUser", CAP);
    return config;
  }

  @Test
  void oneUserRacingAHundredHoldsNeverPassesTheCap() {
    api.createEvent("capped", 10, 10, 900);
    List<String> seats = Api.seatIds(10, 10);
    List<Future<HttpResponse<Buffer>>> holds = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      holds.add(i % 2 == 0
        ? api.holdQuantity("capped", "ann", 1 + i % 3)
        : api.hold("capped", "ann", List.of(seats.get(i))));
    }
    Future.join(holds).otherwiseEmpty().await();
    Map<Integer, Long> statuses = holds.stream().collect(Collectors.groupingBy(h -> h.result().statusCode(),
      Collectors.counting()));
    assertTrue(statuses.keySet().stream().allMatch(s -> s == 201 || s == 409), "201 or 409 only: " + statuses);
    int won = holds.stream().filter(h -> h.result().statusCode() == 201)
      .mapToInt(h -> h.result().bodyAsJsonObject().getJsonArray("seats").size()).sum();
    holds.stream().map(Future::result).filter(h -> h.statusCode() == 409).forEach(refused -> {
      JsonObject problem = refused.bodyAsJsonObject();
      assertEquals("urn:boxoffice:problem:user-limit", problem.getString("type"), problem.encode());
      assertEquals(CAP, problem.getInteger("limit"));
      assertTrue(problem.getInteger("held") <= CAP, problem.encode());
    });
    EventState state = EventState.read(vertx, cluster, "capped");
    state.assertInvariants();
    assertTrue(won <= CAP && won >= CAP - 2, "ann holds up to the cap, " + won + " seats: " + statuses);
    assertEquals((long) won, state.userSeats().get("ann"));

    // a second user is not held back by the first; a cancel of ann's makes room for ann again
    assertEquals(201, api.holdQuantity("capped", "bob", CAP).await().statusCode());
    String annsFirst = holds.stream().map(Future::result).filter(h -> h.statusCode() == 201).findFirst()
      .orElseThrow().bodyAsJsonObject().getString("reservationId");
    int freed = state.reservations().get(annsFirst).get("seats").split(",").length;
    assertEquals(200, api.cancel("capped", annsFirst, "ann").await().statusCode());
    assertEquals(201, api.holdQuantity("capped", "ann", CAP - won + freed).await().statusCode());
    assertEquals(409, api.holdQuantity("capped", "ann", 1).await().statusCode(), "at the cap again");
    EventState.read(vertx, cluster, "capped").assertInvariants();
  }

  @Test
  void theWaitlistKeepsToTheCap() throws InterruptedException {
    api.createEvent("capline", 1, 6, 900);
    String bobs = api.holdQuantity("capline", "bob", CAP).await().bodyAsJsonObject().getString("reservationId");
    String anns = api.holdQuantity("capline", "ann", 2).await().bodyAsJsonObject().getString("reservationId");
    HttpResponse<Buffer> over = api.post("/events/capline/waitlist", new JsonObject().put("userId", "ann")
      .put("quantity", 3)).await();
    assertEquals(409, over.statusCode(), over.bodyAsString());
    assertEquals("urn:boxoffice:problem:user-limit", over.bodyAsJsonObject().getString("type"));
    assertEquals(2, over.bodyAsJsonObject().getInteger("held"));

    // cid waits for 4; meanwhile, as 2 seats come free that cid does not fit, cid holds them
    assertEquals(201, api.post("/events/capline/waitlist", new JsonObject().put("userId", "cid").put("quantity", CAP))
      .await().statusCode());
    assertEquals(200, api.cancel("capline", anns, "ann").await().statusCode());
    assertEquals(201, api.holdQuantity("capline", "cid", 2).await().statusCode());
    // bob's 4 seats come free: cid, first in line, would pass the cap with them, and leaves the line
    assertEquals(200, api.cancel("capline", bobs, "bob").await().statusCode());
    awaitStatus("cid", "user_limit");
    EventState state = EventState.read(vertx, cluster, "capline");
    state.assertInvariants();
    assertEquals(2L, state.userSeats().get("cid"));
  }

  private void awaitStatus(String user, String status) throws InterruptedException {
    JsonObject entry = null;
    for (int i = 0; i < 50; i++) {
      entry = api.get("/events/capline/waitlist/" + user).await().bodyAsJsonObject();
      if (status.equals(entry.getString("status"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(user + " is not " + status + ": " + entry);
  }
}
