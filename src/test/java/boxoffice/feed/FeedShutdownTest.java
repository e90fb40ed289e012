package boxoffice.feed;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.SseClient;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A service that shuts down ends its live feeds at once, instead of waiting out its grace period for them. */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class FeedShutdownTest {

  @Test
  void shuttingDownEndsTheLiveFeedsAtOnce(Vertx vertx, TestCluster cluster) throws InterruptedException {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    SseClient feed = null;
    try {
      api.createEvent("show", 1, 5, 900);
      feed = SseClient.connect(vertx, app.httpPort(), "show", null);
      assertEquals(200, feed.status());
      assertEquals(201, api.hold("show", "ann", List.of("A1")).await().statusCode());
      feed.await(1, 5000); // the feed is live: the change arrives first, the shutdown after

      long started = System.nanoTime();
      app.close().await();
      long closeMs = (System.nanoTime() - started) / 1_000_000;
      feed.ended().timeout(1, TimeUnit.SECONDS).await();
      assertTrue(closeMs < 2_500, "closed in " + closeMs + " ms; the HTTP grace period is 5 s");
      assertEquals(List.of("reservation.created"), feed.events().stream().map(SseClient.Event::type).toList(),
        "the feed delivered what happened before");
    } finally {
      if (feed != null) {
        feed.close();
      }
      api.close();
    }
  }
}
