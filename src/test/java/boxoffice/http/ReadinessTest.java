package boxoffice.http;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness follows the loss and failover of a master; what it and the 503s of the lost shard tell
 * the public names no node: the node details are the admin's.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class ReadinessTest {

  private static final String ADMIN_KEY = "s3cret-admin";

  @Test
  void readinessFollowsTheLossAndFailoverOfAMaster(Vertx vertx, TestCluster cluster) throws Exception {
    int victim = cluster.masterOf(0);
    JsonObject config = TestService.config(cluster).put("admin", new JsonObject().put("apiKey", ADMIN_KEY));
    Boxoffice app = TestService.start(vertx, config);
    Api api = new Api(vertx, app.httpPort());
    try {
      String lostEvent = TestCluster.eventIdInSlots("lost", 0, 100);
      assertEquals(201, api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", ADMIN_KEY)
        .sendJsonObject(new JsonObject().put("id", lostEvent).put("name", "Lost").put("venue", "Hall").put("price", 1)
          .put("rows", 1).put("seatsPerRow", 10)).await().statusCode());
      HttpResponse<Buffer> ready = api.get("/health/ready").await();
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      assertEquals(Set.of("ready", "reason"), ready.bodyAsJsonObject().fieldNames(), "public: " + ready.bodyAsString());
      JsonObject details = ready(api, ADMIN_KEY).await().bodyAsJsonObject();
      assertEquals(16384, details.getInteger("slotsCovered"), details.encode());
      assertTrue(details.getJsonObject("addressMap").getLong("remapped") > 0);

      cluster.kill(victim);
      HttpResponse<Buffer> degraded = poll(api, r -> r.statusCode() == 503, 15_000);
      JsonObject reason = degraded.bodyAsJsonObject();
      assertFalse(reason.getBoolean("ready"));
      assertTrue(reason.containsKey("reason"), "503 says why: " + reason);
      assertNamesNoNode(degraded);
      JsonObject adminView = ready(api, ADMIN_KEY).await().bodyAsJsonObject();
      assertTrue(adminView.size() > 2, "the admin sees the details: " + adminView);
      assertEquals(200, api.get("/health/live").await().statusCode(), "liveness does not depend on Redis");
      HttpResponse<Buffer> refused = api.holdQuantity(lostEvent, "ann", 1).await();
      assertEquals(503, refused.statusCode(), refused.bodyAsString());
      assertNamesNoNode(refused);

      poll(api, r -> r.statusCode() == 200, 20_000);
      assertTrue(cluster.masterOf(0) != victim, "a replica took over the slots");
    } finally {
      api.close();
      app.close().await();
    }
  }

  private static Future<HttpResponse<Buffer>> ready(Api api, String adminKey) {
    return api.request(HttpMethod.GET, "/health/ready").putHeader("X-Admin-Key", adminKey).send();
  }

  /** Neither an address nor a port nor an error's own text. */
  private static void assertNamesNoNode(HttpResponse<Buffer> response) {
    String body = response.bodyAsString();
    assertFalse(body.matches("(?s).*(127\\.0|:\\d{4,5}|Exception|MOVED|Connection).*"), "names no node: " + body);
  }

  private static HttpResponse<Buffer> poll(Api api, Predicate<HttpResponse<Buffer>> until, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    HttpResponse<Buffer> last = null;
    while (System.currentTimeMillis() < deadline) {
      last = api.get("/health/ready").await();
      if (until.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("readiness did not change in time; last answer: "
      + (last == null ? "none" : last.statusCode() + " " + last.bodyAsString()));
  }
}
