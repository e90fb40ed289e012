package boxoffice.cluster;

import boxoffice.testing.Api;
import boxoffice.testing.ChangeLog;
import boxoffice.testing.EventState;
import boxoffice.testing.Load;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.ServiceProcess;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three service jars and one EventTail, each a process of its own, on one clustered event bus and
 * the test Redis Cluster. Buyers hold, confirm, cancel and wait in line through every instance at
 * once; the tail, a consumer in another process, must have printed every change of every event
 * exactly once, whichever instance made it (the change logs are the reference); the sweepers of
 * all instances release each expired hold once; a release made through one instance ends the
 * sold-out memory of the others at once. Then one instance is killed (-9) under load: the other two keep serving every request, stay ready, the cluster drops
 * the dead member within seconds, and the tail keeps receiving the survivors' events.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class ClusterIT {

  private static final String ADMIN_KEY = "cluster-admin";
  /** How long an instance trusts a sold-out report: far longer than the test waits for a release to be seen. */
  private static final int SOLD_OUT_MS = 10_000;

  @Test
  void instancesShareOneEventBusAndATailInAnotherProcessSeesEveryChangeOnce(Vertx vertx, TestCluster cluster)
    throws Exception {
    List<Integer> memberPorts = IntStream.range(0, 4).mapToObj(i -> TestService.freePort()).toList();
    JsonArray members = new JsonArray(memberPorts.subList(0, 3).stream().map(p -> "127.0.0.1:" + p).toList());
    List<ServiceProcess> services = new ArrayList<>();
    ServiceProcess tail = null;
    List<Api> apis = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        services.add(ServiceProcess.start(member(cluster, memberPorts.get(i), members), List.of()));
      }
      for (ServiceProcess service : services) {
        service.awaitReady(Duration.ofSeconds(90));
        apis.add(new Api(vertx, service.port()));
      }
      tail = ServiceProcess.tail(member(cluster, memberPorts.get(3), members));
      tail.awaitLog("EventTail: listening", Duration.ofSeconds(60));
      awaitMembers(apis.get(0), 4, Duration.ofSeconds(60));

      List<String> events = new ArrayList<>();
      for (int third = 0; third < 3; third++) {
        String id = TestCluster.eventIdInThird("clu", third);
        create(apis.get(third), id, 20, 50);
        events.add(id);
      }
      create(apis.get(0), "line", 1, 6);
      create(apis.get(1), "brief", 1, 10, 1);
      Load load = Load.start(vertx, apis, events, 24);
      waitlistThroughEveryInstance(apis);
      List<String> brief = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        brief.add(apis.get(i % 3).holdQuantity("brief", "b" + i, 1).await().bodyAsJsonObject().getString("reservationId"));
      }
      soldOutMemoryLearnsOfReleasesAnywhere(apis);
      Thread.sleep(3000);
      load.stop();
      assertTrue(load.calls(c -> true).stream().allMatch(Load.Call::ok), "every call served: "
        + Load.summary(load.calls(c -> true)));
      List<JsonObject> expired = changeLog(vertx, cluster, "brief").stream()
        .filter(entry -> entry.getString("type").equals("reservation.expired")).toList();
      assertEquals(brief.stream().sorted().toList(), expired.stream().map(e -> e.getString("reservationId")).sorted().toList(),
        "every brief hold expired, once, whichever of the three sweepers got to it");

      List<String> all = new ArrayList<>(events);
      all.addAll(List.of("line", "brief", "flash"));
      assertTailEqualsChangeLogs(vertx, cluster, tail, all, Duration.ofSeconds(10));
      for (String event : all) {
        EventState.read(vertx, cluster, event).assertInvariants();
      }

      // one instance dies under load
      Load survivors = Load.start(vertx, apis.subList(0, 2), events, 16);
      Thread.sleep(1000);
      long killed = System.currentTimeMillis();
      services.get(2).kill();
      long dropped = awaitMembers(apis.get(0), 3, Duration.ofSeconds(30)) - killed;
      for (Api api : apis.subList(0, 2)) {
        HttpResponse<Buffer> ready = api.get("/health/ready").await();
        assertEquals(200, ready.statusCode(), "the survivors stay ready: " + ready.bodyAsString());
      }
      Thread.sleep(2000);
      survivors.stop();
      List<Load.Call> after = survivors.calls(c -> c.start() >= killed);
      System.out.printf("cluster: the dead member dropped %d ms after the kill; survivors' calls since %s%n",
        dropped, Load.summary(after));
      assertFalse(after.isEmpty());
      assertTrue(after.stream().allMatch(Load.Call::ok), "the survivors served every call: " + Load.summary(after));
      assertTrue(dropped < 15_000, "the cluster dropped the dead member within seconds: " + dropped + " ms");
      assertTailEqualsChangeLogs(vertx, cluster, tail, events, Duration.ofSeconds(10));
    } finally {
      apis.forEach(Api::close);
      for (ServiceProcess service : services) {
        service.close();
      }
      if (tail != null) {
        tail.close();
      }
    }
  }

  private static JsonObject member(TestCluster cluster, int memberPort, JsonArray members) {
    JsonObject config = TestService.config(cluster);
    config.getJsonObject("http").remove("instances");
    config.getJsonObject("hold").put("soldOutMs", SOLD_OUT_MS);
    // three JVMs start at once on this machine's two cores: their first cluster connection may take
    // longer than the 2 s a connection gets by default
    config.getJsonObject("redis").put("connectTimeoutMs", 10_000);
    return config.put("admin", new JsonObject().put("apiKey", ADMIN_KEY))
      .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("memberPort", memberPort)
        .put("members", members).put("busPort", 0));
  }

  private static void create(Api api, String id, int rows, int perRow) {
    create(api, id, rows, perRow, 900);
  }

  private static void create(Api api, String id, int rows, int perRow, int holdSeconds) {
    HttpResponse<Buffer> created = api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", ADMIN_KEY)
      .sendJsonObject(new JsonObject().put("id", id).put("name", "Show " + id).put("venue", "Hall").put("price", 5)
        .put("rows", rows).put("seatsPerRow", perRow).put("holdSeconds", holdSeconds)).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
  }

  /**
   * An event sold out through the first instance, whose verticles then refuse holds from memory for
   * {@link #SOLD_OUT_MS}; a cancel through the second must end that at once, over the bus.
   */
  private static void soldOutMemoryLearnsOfReleasesAnywhere(List<Api> apis) {
    create(apis.get(0), "flash", 1, 2);
    String first = apis.get(0).holdQuantity("flash", "f0", 1).await().bodyAsJsonObject().getString("reservationId");
    assertEquals(201, apis.get(0).holdQuantity("flash", "f1", 1).await().statusCode());
    for (int i = 0; i < 6; i++) { // every verticle of the first instance learns that the event is full
      assertEquals(409, apis.get(0).holdQuantity("flash", "late" + i, 1).await().statusCode());
    }
    assertEquals(200, apis.get(1).cancel("flash", first, "f0").await().statusCode());
    long cancelled = System.currentTimeMillis();
    HttpResponse<Buffer> again;
    do {
      again = apis.get(0).holdQuantity("flash", "f2", 1).await();
    } while (again.statusCode() == 409 && System.currentTimeMillis() - cancelled < SOLD_OUT_MS / 2);
    assertEquals(201, again.statusCode(), "the first instance learnt of the cancel at once: " + again.bodyAsString());
    System.out.printf("cluster: a cancel through one instance reached the other's sold-out memory in %d ms%n",
      System.currentTimeMillis() - cancelled);
  }

  /**
   * A sold-out event whose line moves by cancels made through other instances than the holds and
   * the joins: each waiter is promoted once, in order.
   */
  private static void waitlistThroughEveryInstance(List<Api> apis) throws InterruptedException {
    List<String> holds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> held = apis.get(i).holdQuantity("line", "h" + i, 2).await();
      assertEquals(201, held.statusCode(), held.bodyAsString());
      holds.add(held.bodyAsJsonObject().getString("reservationId"));
    }
    for (int w = 0; w < 2; w++) {
      assertEquals(201, apis.get(w + 1).post("/events/line/waitlist", new JsonObject().put("userId", "w" + w)
        .put("quantity", 2)).await().statusCode());
    }
    for (int i = 0; i < 2; i++) {
      assertEquals(200, apis.get((i + 2) % 3).cancel("line", holds.get(i), "h" + i).await().statusCode());
    }
    for (int w = 0; w < 2; w++) {
      JsonObject waiter = null;
      for (int attempt = 0; attempt < 50; attempt++) {
        waiter = apis.get(w).get("/events/line/waitlist/w" + w).await().bodyAsJsonObject();
        if ("promoted".equals(waiter.getString("status"))) {
          break;
        }
        Thread.sleep(100);
      }
      assertEquals("promoted", waiter.getString("status"), "w" + w + " promoted: " + waiter);
    }
  }

  /** Waits until the admin's readiness counts {@code members}; when (ms). */
  private static long awaitMembers(Api api, int members, Duration within) throws InterruptedException {
    long deadline = System.currentTimeMillis() + within.toMillis();
    JsonObject health = null;
    while (System.currentTimeMillis() < deadline) {
      health = api.request(HttpMethod.GET, "/health/ready").putHeader("X-Admin-Key", ADMIN_KEY).send().await()
        .bodyAsJsonObject();
      if (health.getInteger("clusterMembers", 0) == members) {
        return System.currentTimeMillis();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the cluster did not have " + members + " members in time: " + health);
  }

  /**
   * Per event, the tail's lines are the entries of its change log: the same payloads, none twice,
   * none missing (compared once the tail has caught up, or after {@code within}).
   */
  private static void assertTailEqualsChangeLogs(Vertx vertx, TestCluster cluster, ServiceProcess tail,
                                                 List<String> events, Duration within) throws InterruptedException {
    Map<String, Map<String, Integer>> logs = new HashMap<>();
    for (String event : events) {
      logs.put(event, counts(changeLog(vertx, cluster, event)));
    }
    long deadline = System.currentTimeMillis() + within.toMillis();
    Map<String, Map<String, Integer>> printed;
    do {
      Thread.sleep(200);
      printed = tail.lines().stream().filter(line -> events.contains(line.getString("eventId")))
        .collect(Collectors.groupingBy(line -> line.getString("eventId"),
          Collectors.collectingAndThen(Collectors.toList(), ClusterIT::counts)));
    } while (!printed.equals(logs) && System.currentTimeMillis() < deadline);
    for (String event : events) {
      Map<String, Integer> log = logs.get(event);
      Map<String, Integer> seen = printed.getOrDefault(event, Map.of());
      assertEquals(log, seen, "event " + event + ": the tail printed its change log, each entry once ("
        + log.values().stream().mapToInt(Integer::intValue).sum() + " entries)");
      assertTrue(seen.values().stream().allMatch(n -> n == 1), "none twice");
    }
  }

  private static List<JsonObject> changeLog(Vertx vertx, TestCluster cluster, String event) {
    return ChangeLog.read(vertx, cluster, event).stream().map(SseClient.Event::data).toList();
  }

  /** Payloads by their canonical text (keys sorted), with how often each occurs. */
  private static Map<String, Integer> counts(List<JsonObject> payloads) {
    Map<String, Integer> counts = new TreeMap<>();
    payloads.forEach(payload -> counts.merge(canonical(payload), 1, Integer::sum));
    return counts;
  }

  private static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      return new TreeMap<>(object.getMap()).entrySet().stream()
        .map(e -> '"' + e.getKey() + "\":" + canonical(e.getValue() instanceof Map<?, ?> m
          ? new JsonObject((Map<String, Object>) m) : e.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof JsonArray array) {
      return array.stream().map(ClusterIT::canonical).collect(Collectors.joining(",", "[", "]"));
    }
    if (value instanceof List<?> list) {
      return canonical(new JsonArray(list));
    }
    return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
  }
}
