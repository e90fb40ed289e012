package boxoffice.feed;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
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
    HttpClient client = vertx.createHttpClient();
    try {
      api.createEvent("show", 1, 5, 900);
      Promise<Void> ended = Promise.promise();
      StringBuilder text = new StringBuilder();
      HttpClientResponse feed = client.request(new RequestOptions().setHost("127.0.0.1").setPort(app.httpPort())
          .setURI("/events/show/changes"))
        .compose(request -> request.send())
        .map(head -> head.handler(chunk -> text.append(chunk)).endHandler(v -> ended.tryComplete())
          .exceptionHandler(ended::tryFail))
        .await();
      assertEquals(200, feed.statusCode());
      assertEquals(201, api.hold("show", "ann", List.of("A1")).await().statusCode());
      long deadline = System.currentTimeMillis() + 5000;
      while (!text.toString().contains("event: reservation.created") && System.currentTimeMillis() < deadline) {
        Thread.sleep(20); // the feed is live: the change arrives first, the shutdown after
      }

      long started = System.nanoTime();
      app.close().await();
      long closeMs = (System.nanoTime() - started) / 1_000_000;
      ended.future().timeout(1, TimeUnit.SECONDS).await();
      assertTrue(closeMs < 2_500, "closed in " + closeMs + " ms; the HTTP grace period is 5 s");
      assertTrue(text.toString().contains("event: reservation.created"), "the feed delivered what happened before: " + text);
    } finally {
      client.close().await();
      api.close();
    }
  }
}
