package boxoffice.testing;

import boxoffice.Boxoffice;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tests of the whole service, deployed afresh for each test (before the subclass's own
 * {@code @BeforeEach}) with {@link #config}, the test configuration unless a subclass changes it.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
public abstract class ServiceTest {

  protected Vertx vertx;
  protected TestCluster cluster;
  protected Boxoffice app;
  protected Api api;

  protected JsonObject config(TestCluster cluster) {
    return TestService.config(cluster);
  }

  @BeforeEach
  void startService(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    app = TestService.start(vertx, config(cluster));
    api = new Api(vertx, app.httpPort());
  }

  @AfterEach
  void stopService() {
    api.close();
    app.close().await();
  }
}
