package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * The process's one Redis client, in cluster mode, with every node as a seed and every socket opened
 * through the address map. Verticles each open their own {@link ClusterConnection} from it.
 */
public final class RedisCluster {

  private final Vertx vertx;
  private final Redis client;
  private final RedisSettings settings;

  private RedisCluster(Vertx vertx, RedisSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    RedisOptions options = new RedisOptions()
      .setType(RedisClientType.CLUSTER)
      .setEndpoints(settings.nodes())
      .setMaxPoolSize(settings.maxPoolSize())
      .setMaxPoolWaiting(Math.max(settings.maxPoolSize() * 32, 1024))
      .setMaxWaitingHandlers(65536)
      .setNetClientOptions(new NetClientOptions()
        .setConnectTimeout(settings.connectTimeoutMs())
        .setTcpNoDelay(true)
        .setTcpKeepAlive(true));
    this.client = Redis.createClient(new RemappingVertx((VertxInternal) vertx, settings.addressMap()), options);
  }

  public static RedisCluster create(Vertx vertx, RedisSettings settings) {
    return new RedisCluster(vertx, settings);
  }

  /** A long-lived connection for the calling context (a verticle's start). */
  public Future<ClusterConnection> connect() {
    return ClusterConnection.open(vertx, client, settings.commandTimeoutMs());
  }

  public AddressMap addressMap() {
    return settings.addressMap();
  }

  public RedisSettings settings() {
    return settings;
  }

  public Future<Void> close() {
    return client.close();
  }
}
