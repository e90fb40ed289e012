package boxoffice.feed;

import boxoffice.Boxoffice;
import boxoffice.bus.Addresses;
import boxoffice.store.Keys;
import boxoffice.testing.Api;
import boxoffice.testing.ChangeLog;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeFeedTest extends ServiceTest {

  @Override
  protected JsonObject config(TestCluster cluster) {
    return TestService.config(cluster).put("feed", new JsonObject().put("pollMs", 100).put("heartbeatMs", 300));
  }

  @BeforeEach
  void createEvent() {
    api.createEvent("feed", 4, 5, 900);
  }

  /** Holds, confirms and cancels on the event: 3 changes per round. */
  private void changes(int rounds, String prefix) {
    for (int i = 0; i < rounds; i++) {
      JsonObject a = api.holdQuantity("feed", prefix + "a" + i, 1).await().bodyAsJsonObject();
      JsonObject b = api.holdQuantity("feed", prefix + "b" + i, 1).await().bodyAsJsonObject();
      api.confirm("feed", a.getString("reservationId"), a.getString("userId")).await();
      api.cancel("feed", b.getString("reservationId"), b.getString("userId")).await();
    }
  }

  private static List<String> ids(List<SseClient.Event> events) {
    return events.stream().map(SseClient.Event::id).toList();
  }

  @Test
  void aSubscriberSeesEveryChangeInOrder() throws Exception {
    SseClient sse = SseClient.connect(vertx, app.httpPort(), "feed", null);
    try {
      assertEquals(200, sse.status());
      changes(5, "x");
      List<SseClient.Event> seen = sse.await(20, 5000);
      List<SseClient.Event> log = ChangeLog.read(vertx, cluster, "feed");
      List<SseClient.Event> expected = log.subList(1, log.size()); // all but event.created, before the subscription
      assertEquals(ids(expected), ids(seen));
      assertEquals(expected.stream().map(SseClient.Event::type).toList(), seen.stream().map(SseClient.Event::type).toList());
      assertEquals(expected.get(0).data(), seen.get(0).data());
      assertTrue(sse.comments() >= 1, "the stream opens with a comment and keeps alive with heartbeats");
      int before = sse.comments();
      Thread.sleep(700);
      assertTrue(sse.comments() > before, "heartbeats while idle");
    } finally {
      sse.close();
    }
  }

  @Test
  void aClientThatResumesWithLastEventIdMissesNoneAndRepeatsNone() throws Exception {
    SseClient first = SseClient.connect(vertx, app.httpPort(), "feed", null);
    changes(3, "x");
    List<SseClient.Event> before = first.await(12, 5000);
    first.close();
    String last = before.get(7).id(); // as if the connection dropped after the 8th change it saw

    changes(3, "y"); // changes while it is away
    SseClient resumed = SseClient.connect(vertx, app.httpPort(), "feed", last);
    try {
      changes(2, "z"); // and after it is back
      List<SseClient.Event> log = ChangeLog.read(vertx, cluster, "feed");
      int from = ids(log).indexOf(last) + 1;
      List<SseClient.Event> after = resumed.await(log.size() - from, 5000);
      Thread.sleep(300);
      assertEquals(ids(log.subList(from, log.size())), ids(resumed.events()), "exactly the changes after " + last);
      assertEquals(ids(log.subList(from, log.size())), ids(after));
    } finally {
      resumed.close();
    }
  }

  @Test
  void aClientResumingFromAChangeTheLogNoLongerKeepsIsToldToStartAfresh() throws Exception {
    changes(2, "x");
    List<SseClient.Event> before = ChangeLog.read(vertx, cluster, "feed");
    SseClient fromStart = SseClient.connect(vertx, app.httpPort(), "feed", "0-0");
    try {
      assertEquals(ids(before), ids(fromStart.await(before.size(), 5000)), "an untrimmed log is replayed whole");
    } finally {
      fromStart.close();
    }
    String trimmed = before.get(1).id();
    int owner = cluster.masterOf(TestCluster.slot(Keys.changes("feed")));
    cluster.cli(owner, "XTRIM", Keys.changes("feed"), "MAXLEN", "3"); // as the log's bound does
    SseClient resumed = SseClient.connect(vertx, app.httpPort(), "feed", trimmed);
    try {
      changes(1, "y");
      List<SseClient.Event> seen = resumed.await(5, 5000);
      assertEquals("reset", seen.get(0).type());
      assertEquals(before.get(before.size() - 1).id(), seen.get(0).id(), "a reconnect resumes after the reset");
      List<SseClient.Event> log = ChangeLog.read(vertx, cluster, "feed");
      assertEquals(ids(log.subList(log.size() - 4, log.size())), ids(seen.subList(1, 5)), "then every new change");
    } finally {
      resumed.close();
    }
  }

  @Test
  void changesMadeByAnotherProcessShowUp() throws Exception {
    Vertx otherProcess = Vertx.vertx();
    Boxoffice other = TestService.start(otherProcess, TestService.config(cluster));
    Api otherApi = new Api(otherProcess, other.httpPort());
    SseClient sse = SseClient.connect(vertx, app.httpPort(), "feed", null);
    try {
      HttpResponse<Buffer> hold = otherApi.holdQuantity("feed", "elsewhere", 2).await();
      assertEquals(201, hold.statusCode());
      SseClient.Event seen = sse.await(1, 5000).get(0);
      assertEquals("reservation.created", seen.type());
      assertEquals(hold.bodyAsJsonObject().getString("reservationId"), seen.data().getString("reservationId"));
    } finally {
      sse.close();
      otherApi.close();
      other.close().await();
      otherProcess.close().await();
    }
  }

  @Test
  void twoHundredIdleSubscribersShareOneReader() throws Exception {
    List<SseClient> subscribers = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        subscribers.add(SseClient.connect(vertx, app.httpPort(), "feed", null));
      }
      assertEquals(new JsonObject().put("feed", 200), stats().getJsonObject("events"));
      int owner = cluster.masterOf(TestCluster.slot("{event:feed}"));
      long reads = xreadCalls(owner);
      Thread.sleep(1000);
      long perSecond = xreadCalls(owner) - reads;
      assertTrue(perSecond <= 15, "one reader polling every 100 ms, not one per subscriber: " + perSecond + " reads/s");

      changes(1, "x");
      for (SseClient subscriber : subscribers) {
        assertEquals(4, subscriber.await(4, 5000).size());
      }
    } finally {
      subscribers.forEach(SseClient::close);
    }
    long deadline = System.currentTimeMillis() + 5000;
    while (!stats().getJsonObject("events").isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(new JsonObject(), stats().getJsonObject("events"), "the reader stops with its last subscriber");
  }

  /** Event ids are free text within the id pattern: an event named like a feed command has its own feed. */
  @Test
  void eventsNamedLikeTheFeedCommandsHaveFeedsOfTheirOwn() throws Exception {
    List<String> names = List.of("open", "close", "stats");
    List<SseClient> feeds = new ArrayList<>();
    try {
      for (String name : names) {
        api.createEvent(name, 1, 5, 900);
        feeds.add(SseClient.connect(vertx, app.httpPort(), name, null));
      }
      assertEquals(new JsonObject().put("open", 1).put("close", 1).put("stats", 1), stats().getJsonObject("events"));
      for (int i = 0; i < names.size(); i++) {
        HttpResponse<Buffer> hold = api.holdQuantity(names.get(i), "u" + i, 1).await();
        assertEquals(201, hold.statusCode());
        SseClient.Event seen = feeds.get(i).await(1, 5000).get(0);
        assertEquals(hold.bodyAsJsonObject().getString("reservationId"), seen.data().getString("reservationId"));
      }
    } finally {
      feeds.forEach(SseClient::close);
    }
  }

  /**
   * A subscriber whose open timed out on its side closes it: the open still running in the feed
   * verticle must not count it, and a close naming nobody must not end anyone else's feed.
   */
  @Test
  void closesCountOnlyTheSubscriberTheyName() throws Exception {
    JsonObject open = new JsonObject().put("eventId", "feed").put("subscription", "gave-up");
    var opened = vertx.eventBus().<JsonObject>request(Addresses.FEED_OPEN, open);
    vertx.eventBus().send(Addresses.FEED_CLOSE, open.copy());
    opened.otherwiseEmpty().await();
    assertEquals(new JsonObject(), stats().getJsonObject("events"), "the abandoned open left no reader");

    SseClient sse = SseClient.connect(vertx, app.httpPort(), "feed", null);
    try {
      vertx.eventBus().send(Addresses.FEED_CLOSE, new JsonObject().put("eventId", "feed").put("subscription", "nobody"));
      assertEquals(new JsonObject().put("feed", 1), stats().getJsonObject("events"));
      changes(1, "c");
      assertEquals(4, sse.await(4, 5000).size());
    } finally {
      sse.close();
    }
  }

  @Test
  void badRequestsAreRefused() {
    HttpResponse<Buffer> unknown = api.get("/events/nosuch/changes").await();
    assertEquals(404, unknown.statusCode());
    assertEquals("application/problem+json", unknown.getHeader("Content-Type"));
    HttpResponse<Buffer> badId = api.request(io.vertx.core.http.HttpMethod.GET, "/events/feed/changes")
      .putHeader("Last-Event-ID", "yesterday").send().await();
    assertEquals(400, badId.statusCode());
    assertEquals(new JsonObject(), stats().getJsonObject("events"), "refused subscribers leave no reader behind");
  }

  private JsonObject stats() {
    return vertx.eventBus().<JsonObject>request(Addresses.FEED_STATS, new JsonObject()).await().body();
  }

  private long xreadCalls(int node) {
    Matcher m = Pattern.compile("cmdstat_xread:calls=(\\d+)").matcher(cluster.cli(node, "info", "commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
