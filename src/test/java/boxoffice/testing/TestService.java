package boxoffice.testing;

import boxoffice.Boxoffice;
import boxoffice.Config;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;

/** The whole service, deployed in the test's Vert.x against the test cluster, through the address map. */
public final class TestService {

  private TestService() {
  }

  /** The configuration a test starts from: the test cluster, its address map, a free HTTP port. */
  public static JsonObject config(TestCluster cluster) {
    return config(cluster.nodes(), cluster.addressMap());
  }

  /** The same for any cluster: its seeds and the map from what its nodes announce to where they are. */
  public static JsonObject config(JsonArray nodes, JsonObject addressMap) {
    return new JsonObject()
      .put("http", new JsonObject().put("port", freePort()).put("instances", 2))
      .put("redis", new JsonObject()
        .put("nodes", nodes)
        .put("addressMap", addressMap)
        .put("maxPoolSize", 16)
        .put("commandTimeoutMs", 3000))
      .put("hold", new JsonObject().put("seconds", 900).put("maxSeatsPerHold", 10))
      .put("sweeper", new JsonObject().put("intervalMs", 100));
  }

  public static Boxoffice start(Vertx vertx, JsonObject config) {
    return Boxoffice.deploy(vertx, Config.fromJson(config)).await();
  }

  public static Boxoffice start(Vertx vertx, TestCluster cluster) {
    return start(vertx, config(cluster));
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
