package boxoffice.http;

import boxoffice.store.Keys;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /events: the events newest first, page by page, with their counts; never missing a created one. */
class EventListTest extends ServiceTest {

  private JsonObject page(String query) {
    HttpResponse<Buffer> response = api.get("/events" + query).await();
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("id")).toList();
  }

  /** Every event, following next from the first page. */
  private List<String> all(int limit) {
    List<String> ids = new ArrayList<>();
    String next = null;
    for (int pages = 0; pages < 100; pages++) {
      JsonObject page = page("?limit=" + limit + (next == null ? "" : "&cursor=" + URLEncoder.encode(next, StandardCharsets.UTF_8)));
      ids.addAll(ids(page));
      next = page.getString("next");
      if (next == null) {
        return ids;
      }
    }
    throw new AssertionError("the list did not end");
  }

  private String index(String... args) {
    List<String> command = new ArrayList<>(List.of(args));
    command.add(1, Keys.eventIndex());
    return cluster.cli(cluster.masterOf(TestCluster.slot(Keys.eventIndex())), command.toArray(String[]::new)).trim();
  }

  @Test
  void eventsComeNewestFirstInPagesWithTheirCounts() {
    for (int i = 1; i <= 5; i++) {
      api.createEvent("e" + i, 2, 5, 900);
    }
    assertEquals(201, api.hold("e3", "ann", List.of("A1", "A2")).await().statusCode());

    JsonObject first = page("?limit=2");
    assertEquals(List.of("e5", "e4"), ids(first));
    JsonObject second = page("?limit=2&cursor=" + first.getString("next"));
    assertEquals(List.of("e3", "e2"), ids(second));
    JsonObject e3 = second.getJsonArray("events").getJsonObject(0);
    assertEquals(api.get("/events/e3").await().bodyAsJsonObject(), e3, "an entry is the event as GET /events/{id} shows it");
    assertEquals(8, e3.getInteger("available"));
    assertEquals(2, e3.getInteger("held"));
    assertEquals(0, e3.getInteger("waitlist"));
    JsonObject last = page("?limit=2&cursor=" + second.getString("next"));
    assertEquals(List.of("e1"), ids(last));
    assertNull(last.getValue("next"));
    assertTrue(last.containsKey("next"), "next is there, as null");

    JsonObject whole = page("");
    assertEquals(List.of("e5", "e4", "e3", "e2", "e1"), ids(whole), "20 a page unless asked");
    assertNull(whole.getValue("next"));
    assertEquals(List.of("e5", "e4", "e3", "e2", "e1"), all(1));
  }

  @Test
  void entriesWithoutTheirEventAreSkippedAndPagesGoOnPastThem() {
    api.createEvent("old", 1, 5, 900);
    api.createEvent("new", 1, 5, 900);
    // entries a creation leaves when its script is refused or the event is deleted: newest of all
    long now = System.currentTimeMillis() + 60_000;
    List<String> ghosts = new ArrayList<>(List.of("ZADD"));
    for (int i = 0; i < 45; i++) {
      ghosts.add(String.valueOf(now + i));
      ghosts.add("ghost" + i);
    }
    index(ghosts.toArray(String[]::new));
    assertEquals(List.of("new", "old"), all(1));
    assertEquals(List.of("new", "old"), all(3));
    assertEquals(List.of("new", "old"), all(100));
    // a refused creation of an existing event leaves its place as it was
    String before = index("ZSCORE", "old");
    assertEquals(409, api.post("/events", new JsonObject().put("id", "old").put("name", "x").put("venue", "y")
      .put("price", 1).put("rows", 1).put("seatsPerRow", 1)).await().statusCode());
    assertEquals(before, index("ZSCORE", "old"));
    assertEquals(List.of("new", "old"), all(100));
  }

  @Test
  void eventsAnsweredCreatedAreInEveryListReadAfter() {
    List<Future<HttpResponse<Buffer>>> creations = new ArrayList<>();
    Set<String> answered = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 30; i++) {
      String id = "race" + i;
      creations.add(api.post("/events", new JsonObject().put("id", id).put("name", "Race " + i).put("venue", "Hall")
        .put("price", 5).put("rows", 1 + i % 3).put("seatsPerRow", 4)).onSuccess(r -> {
          if (r.statusCode() == 201) {
            answered.add(id);
          }
        }));
    }
    int lists = 0;
    while (lists < 5 || !creations.stream().allMatch(Future::isComplete)) {
      Set<String> createdBefore = new HashSet<>(answered);
      Set<String> listed = new HashSet<>(ids(page("?limit=100")));
      assertTrue(listed.containsAll(createdBefore), "missing: " + createdBefore.stream()
        .filter(id -> !listed.contains(id)).collect(Collectors.toList()));
      lists++;
    }
    assertEquals(30, answered.size());
    assertEquals(30, ids(page("?limit=100")).size());
  }

  @Test
  void eventsShowTheirLayout() {
    api.createEvent("grid", 3, 7, 900);
    assertEquals(201, api.post("/events", new JsonObject().put("id", "listed").put("name", "Listed").put("venue", "Club")
      .put("price", 5).put("seatIds", new JsonArray(List.of("S1", "S2", "S10")))).await().statusCode());
    JsonObject grid = api.get("/events/grid").await().bodyAsJsonObject();
    assertEquals("grid", grid.getString("layout"));
    assertEquals(3, grid.getInteger("rows"));
    assertEquals(7, grid.getInteger("seatsPerRow"));
    JsonObject listed = api.get("/events/listed").await().bodyAsJsonObject();
    assertEquals("list", listed.getString("layout"));
    assertTrue(!listed.containsKey("rows") && !listed.containsKey("seatsPerRow"), listed.encode());
  }

  @Test
  void badLimitsAndCursorsAreRefusedAndChangeNothing() {
    api.createEvent("one", 1, 5, 900);
    String before = index("ZRANGE", "0", "-1", "WITHSCORES");
    for (String query : List.of("?limit=0", "?limit=101", "?limit=-1", "?limit=abc", "?limit=1.5", "?limit=",
      "?limit=1&limit=2", "?limit=0001", "?cursor=abc", "?cursor=123.", "?cursor=.one", "?cursor=12x.one",
      "?cursor=1.a%7Bb%7D", "?cursor=1.a:b", "?cursor=" + "1".repeat(16) + ".one", "?cursor=1.one&cursor=2.one")) {
      HttpResponse<Buffer> response = api.get("/events" + query).await();
      assertEquals(400, response.statusCode(), query + " " + response.bodyAsString());
      assertEquals("application/problem+json", response.getHeader("Content-Type"));
      JsonObject problem = response.bodyAsJsonObject();
      assertEquals("urn:boxoffice:problem:invalid-request", problem.getString("type"));
      assertTrue(problem.getString("detail").contains("limit") || problem.getString("detail").contains("cursor"), query);
    }
    assertEquals(before, index("ZRANGE", "0", "-1", "WITHSCORES"));
    assertEquals(List.of("one"), ids(page("?limit=100&cursor=" + (System.currentTimeMillis() + 1) + ".zzz")));
  }
}
