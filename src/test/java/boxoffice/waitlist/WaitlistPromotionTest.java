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
 * A sold-out event, a line of waiters, and seats coming back through cancels and expiries, or sold,
 * while others join and leave. The change log orders every change of the event, so replaying it
 * against a model of the line proves each promotion went to the head, in join order, with enough free
 * seats, and that only waiters a sale left wanting more than is left to sell were taken out.
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
      vertx.deployVerticle(() -> new WaitlistPromotionVerticle(second, 0), new io.vertx.core.DeploymentOptions()
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
      Replay replay = replay(log);
      assertEquals(List.of(), replay.line(), "nobody is left in line");
      assertEquals(joined - left, replay.promotions(), "every waiter who stayed was promoted, once");
      EventState.read(vertx, cluster, EVENT).assertInvariants();
    } finally {
      api.close();
      app.close().await();
      second.close().await();
    }
  }

  /**
   * Sales race the line: holders confirm while another cancels, waiters join and buyers outside the
   * line keep trying. The sales leave 2 seats to sell, so the first in line, who waits for 3, must
   * leave the line with the sale that made them unservable, as must every waiter for 3 who comes
   * first after them, and nobody else; the 2 seats that came back go to the line.
   */
  @Test
  void salesTakeOutOfTheLineOnlyTheWaitersTheyLeaveUnservable(Vertx vertx, TestCluster cluster) throws Exception {
    Random random = new Random(11);
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    try {
      api.createEvent(EVENT, 2, 10, 900);
      List<JsonObject> holds = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        holds.add(api.holdQuantity(EVENT, "holder" + i, 2).await().bodyAsJsonObject());
      }
      List<Future<HttpResponse<Buffer>>> joins = new ArrayList<>();
      assertEquals(201, join(api, "waiter0", 3).await().statusCode());
      for (int i = 1; i < 30; i++) {
        joins.add(join(api, "waiter" + i, 1 + random.nextInt(3)));
      }
      Future.all(joins).await();
      joins.forEach(j -> assertEquals(201, j.result().statusCode(), j.result().bodyAsString()));

      List<Future<?>> racing = new ArrayList<>();
      racing.add(snipe(api, "sniper", System.currentTimeMillis() + 2000));
      for (int i = 0; i < 10; i++) {
        JsonObject hold = holds.get(i);
        racing.add(i < 9
          ? api.confirm(EVENT, hold.getString("reservationId"), hold.getString("userId"))
          : api.cancel(EVENT, hold.getString("reservationId"), hold.getString("userId")));
        racing.add(join(api, "late" + i, 1 + random.nextInt(3)));
      }
      Future.join(racing).await();

      // the promotions the cancel and the departures start run a moment later: until nothing changes
      long deadline = System.currentTimeMillis() + 10_000;
      JsonObject before;
      JsonObject now = api.get("/events/" + EVENT).await().bodyAsJsonObject();
      do {
        before = now;
        Thread.sleep(300);
        now = api.get("/events/" + EVENT).await().bodyAsJsonObject();
      } while (!now.equals(before) && System.currentTimeMillis() < deadline);

      Replay replay = replay(ChangeLog.read(vertx, cluster, EVENT));
      assertEquals(2, replay.unsold(), "9 of the 10 holders bought");
      assertTrue(replay.soldOut() > 0, "waiter0 wanted 3 seats and left the line");
      assertTrue(replay.line().isEmpty() || replay.wants().get(replay.line().peek()) <= replay.unsold(),
        "the first in line does not want more than is left to sell: " + replay);
      assertEquals(replay.line().size(), now.getInteger("waitlist"), "the line as the log tells it: " + now);
      EventState.read(vertx, cluster, EVENT).assertInvariants();
    } finally {
      api.close();
      app.close().await();
    }
  }

  /** What replaying a change log leaves: promotions and departures as sold_out, the line, seats unsold. */
  private record Replay(int promotions, int soldOut, LinkedList<String> line, Map<String, Integer> wants, int unsold) {
  }

  /**
   * Replays the change log against a model of the line and the free seats: every promotion must take
   * the head of the line, for the quantity it asked, with no more seats than are free, nobody outside
   * the line may hold seats while the head of the line fits the free ones, and a waiter leaves as
   * sold_out only when they want more seats than are left to sell.
   */
  private Replay replay(List<SseClient.Event> log) {
    LinkedList<String> line = new LinkedList<>();
    Map<String, Integer> wants = new HashMap<>();
    Set<String> promotedHolds = new HashSet<>();
    log.stream().filter(e -> e.type().equals("waitlist.promoted"))
      .forEach(e -> promotedHolds.add(e.data().getString("reservationId")));
    int free = 0;
    int unsold = 0;
    int promotions = 0;
    int soldOut = 0;
    for (SseClient.Event change : log) {
      JsonObject data = change.data();
      int seats = data.getJsonArray("seats") == null ? 0 : data.getJsonArray("seats").size();
      switch (change.type()) {
        case "event.created" -> {
          free = data.getInteger("totalSeats");
          unsold = free;
        }
        case "reservation.created" -> {
          boolean headFits = !line.isEmpty() && wants.get(line.peek()) <= free;
          assertTrue(promotedHolds.contains(data.getString("reservationId")) || !headFits,
            "hold " + change.id() + " by " + data.getString("userId") + " took seats the head of the line fits");
          free -= seats;
          assertTrue(free >= 0, "never more seats held than free");
        }
        case "reservation.cancelled", "reservation.expired" -> free += seats;
        case "reservation.confirmed" -> unsold -= seats;
        case "waitlist.joined" -> {
          line.add(data.getString("userId"));
          wants.put(data.getString("userId"), data.getInteger("quantity"));
        }
        case "waitlist.left" -> {
          String user = data.getString("userId");
          if ("sold_out".equals(data.getString("reason"))) {
            assertEquals(line.peek(), user, "only the first in line is taken out, at " + change.id());
            assertTrue(wants.get(user) > unsold, user + " could still have been served, at " + change.id());
            soldOut++;
          }
          line.remove(user);
        }
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
    return new Replay(promotions, soldOut, line, wants, unsold);
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
