package boxoffice.redis;

import boxoffice.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonObject;

/** Answers readiness questions on the event bus, so that the HTTP verticle never calls Redis. */
public final class ClusterHealthVerticle extends VerticleBase {

  private final RedisCluster redis;
  private ClusterConnection connection;

  public ClusterHealthVerticle(RedisCluster redis) {
    this.redis = redis;
  }

  @Override
  public Future<?> start() {
    return redis.connect().compose(conn -> {
      connection = conn;
      return vertx.eventBus().<JsonObject>consumer(Addresses.CLUSTER_HEALTH,
          msg -> ClusterHealth.check(connection)
            .map(health -> withMembers(health.put("addressMap", redis.addressMap().counters())))
            .onSuccess(msg::reply))
        .completion();
    });
  }

  /** In a cluster of instances: how many members (instances and consumers) it has now. */
  private JsonObject withMembers(JsonObject health) {
    ClusterManager members = ((VertxInternal) vertx).clusterManager();
    return members == null ? health : health.put("clusterMembers", members.getNodes().size());
  }

  @Override
  public Future<?> stop() {
    return connection == null ? Future.succeededFuture() : connection.close();
  }
}
