package boxoffice.waitlist;

import boxoffice.Boxoffice;
import boxoffice.Config;
import boxoffice.redis.RedisCluster;
import boxoffice.testing.Api;
import boxoffice.testing.ChangeLog;
import boxoffice.testing.EventState;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sold-out event, a line of waiters, and seats coming back through cancels and expiries while
 * others join and leave. The change log orders every change of the event, so replaying it against a
 * model of the line proves each promotion went to the head, in join order, with enough free seats.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class WaitlistPromotionTest {

  private static final String EVENT = "soldout";

  @Test
  void promotionsGoToTheHeadInJoinOrder(Vertx vertx, TestCluster cluster) throws Exception {
    race(vertx, cluster, false);
  }

  @Test
  void twoPromotersOverOneEventKeepTheOrder(Vertx vertx, TestCluster cluster) throws Exception {
    race(vertx, cluster, true);
  }

  private void race(Vertx vertx, TestCluster cluster, boolean secondPromoter) throws Exception {
    Random random = new Random(7);
    JsonObject config = TestService.config(cluster);
    Boxoffice app = TestService.start(vertx, config);
    RedisCluster second = RedisCluster.create(vertx, Config.fromJson(config).redis());
    if (secondPromoter) {
      vertx.deployVerticle(() -> new WaitlistPromotionVerticle(second), new io.vertx.core.DeploymentOptions()
        .setInstances(2)).await();
    }
    Api api = new Api(vertx, app.httpPort());
    try {
      api.createEvent(EVENT, 5, 10, 2);
      // sell out: 25 holders of two seats each
      List<JsonObject> holds = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        holds.add(api.holdQuantity(EVENT, "holder" + i, 2).await().bodyAsJsonObject());
      }
      // 50 waiters with mixed quantities, joining at once
      List<Future<HttpResponse<Buffer>>> joins = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        joins.add(join(api, "waiter" + i, 1 + random.nextInt(3)));
      }
      Future.all(joins).await();
      joins.forEach(j -> assertEquals(201, j.result().statusCode(), j.result().bodyAsString()));

      // seats come back while the line changes: cancels now, expiries after 2 s, joins and leaves,
      // and buyers outside the line keep trying to hold a seat
      List<Future<?>> racing = new ArrayList<>();
      long snipersStop = System.currentTimeMillis() + 4000;
      for (int i = 0; i < 4; i++) {
        racing.add(snipe(api, "sniper" + i, snipersStop));
      }
      for (int i = 0; i < 12; i++) {
        JsonObject hold = holds.get(i);
        racing.add(api.cancel(EVENT, hold.getString("reservationId"), hold.getString("userId")));
      }
      for (int i = 0; i < 10; i++) {
        racing.add(join(api, "late" + i, 1 + random.nextInt(3)));
        racing.add(api.request(io.vertx.core.http.HttpMethod.DELETE, "/events/" + EVENT + "/waitlist/waiter" + (40 + i)).send());
      }
      Future.join(racing).await();

      // every hold, promoted ones included, expires after 2 s and promotes the next, until the line is empty
      long deadline = System.currentTimeMillis() + 45_000;
      JsonObject event;
      do {
        Thread.sleep(200);
        event = api.get("/events/" + EVENT).await().bodyAsJsonObject();
      } while ((event.getInteger("waitlist") > 0 || event.getInteger("held") > 0) && System.currentTimeMillis() < deadline);
      assertEquals(0, event.getInteger("waitlist"), "every waiter was promoted in time: " + event);

      List<SseClient.Event> log = ChangeLog.read(vertx, cluster, EVENT);
      long joined = log.stream().filter(e -> e.type().equals("waitlist.joined")).count();
      long left = log.stream().filter(e -> e.type().equals("waitlist.left")).count();
      assertEquals(joined - left, replay(log), "every waiter who stayed was promoted, once");
      EventState.read(vertx, cluster, EVENT).assertInvariants();
    } finally {
      api.close();
      app.close().await();
      second.close().await();
    }
  }

  /**
   * Replays the change log against a model of the line and the free seats: every promotion must take
   * the head of the line, for the quantity it asked, with no more seats than are free, and nobody
   * outside the line may hold seats while the head of the line fits the free ones.
   */
  private int replay(List<SseClient.Event> log) {
    LinkedList<String> line = new LinkedList<>();
    Map<String, Integer> wants = new HashMap<>();
    Set<String> promotedHolds = new HashSet<>();
    log.stream().filter(e -> e.type().equals("waitlist.promoted"))
      .forEach(e -> promotedHolds.add(e.data().getString("reservationId")));
    int free = 0;
    int promotions = 0;
    for (SseClient.Event change : log) {
      JsonObject data = change.data();
      int seats = data.getJsonArray("seats") == null ? 0 : data.getJsonArray("seats").size();
      switch (change.type()) {
        case "event.created" -> free = data.getInteger("totalSeats");
        case "reservation.created" -> {
          boolean headFits = !line.isEmpty() && wants.get(line.peek()) <= free;
          assertTrue(promotedHolds.contains(data.getString("reservationId")) || !headFits,
            "hold " + change.id() + " by " + data.getString("userId") + " took seats the head of the line fits");
          free -= seats;
          assertTrue(free >= 0, "never more seats held than free");
        }
        case "reservation.cancelled", "reservation.expired" -> free += seats;
        case "waitlist.joined" -> {
          line.add(data.getString("userId"));
          wants.put(data.getString("userId"), data.getInteger("quantity"));
        }
        case "waitlist.left" -> line.remove(data.getString("userId"));
        case "waitlist.promoted" -> {
          String head = line.poll();
          assertEquals(head, data.getString("userId"), "promotion at " + change.id() + " goes to the head");
          assertEquals(wants.get(head), seats);
          promotions++;
        }
        default -> {
        }
      }
    }
    assertEquals(List.of(), line, "nobody is left in line");
    return promotions;
  }

  /**
   * Holds one seat again and again until {@code until}, as a buyer who is not in line; in a thread of
   * its own, since refusals answered from memory come too fast for a chain of futures.
   */
  private static Future<Void> snipe(Api api, String user, long until) {
    Promise<Void> done = Promise.promise();
    new Thread(() -> {
      try {
        while (System.currentTimeMillis() < until) {
          HttpResponse<Buffer> hold = api.holdQuantity(EVENT, user, 1).await();
          assertTrue(hold.statusCode() == 201 || hold.statusCode() == 409, hold.bodyAsString());
        }
        done.complete();
      } catch (Throwable e) {
        done.fail(e);
      }
    }, user).start();
    return done.future();
  }

  private static Future<HttpResponse<Buffer>> join(Api api, String user, int quantity) {
    return api.post("/events/" + EVENT + "/waitlist", new JsonObject().put("userId", user).put("quantity", quantity));
  }
}
