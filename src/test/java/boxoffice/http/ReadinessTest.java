package boxoffice.http;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class ReadinessTest {

  @Test
  void readinessFollowsTheLossAndFailoverOfAMaster(Vertx vertx, TestCluster cluster) throws Exception {
    int victim = cluster.masterOf(0);
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    try {
      HttpResponse<Buffer> ready = api.get("/health/ready").await();
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      assertEquals(16384, ready.bodyAsJsonObject().getInteger("slotsCovered"));
      assertTrue(ready.bodyAsJsonObject().getJsonObject("addressMap").getLong("remapped") > 0);

      cluster.kill(victim);
      HttpResponse<Buffer> degraded = poll(api, r -> r.statusCode() == 503, 15_000);
      JsonObject reason = degraded.bodyAsJsonObject();
      assertFalse(reason.getBoolean("ready"));
      assertTrue(reason.containsKey("reason"), "503 says why: " + reason);
      assertEquals(200, api.get("/health/live").await().statusCode(), "liveness does not depend on Redis");

      poll(api, r -> r.statusCode() == 200, 20_000);
      assertTrue(cluster.masterOf(0) != victim, "a replica took over the slots");
    } finally {
      api.close();
      app.close().await();
    }
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
