package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.netty.channel.EventLoop;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's one Redis client, in cluster mode, with every node as a seed and every socket opened
 * through the address map. Verticles get their event loop's {@link ClusterConnection} from it.
 */
public final class RedisCluster {

  private final Vertx vertx;
  private final Redis client;
  private final RedisSettings settings;
  private final Map<EventLoop, Future<ClusterConnection>> byEventLoop = new ConcurrentHashMap<>();

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

  /**
   * The long-lived connection of the calling verticle's event loop, shared by the verticles on that
   * loop: it pipelines their calls on few sockets and keeps the pool's use bounded by the number of
   * event loops. Each caller closes it once; the last close really closes it.
   */
  public Future<ClusterConnection> connect() {
    EventLoop loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
    Future<ClusterConnection> shared = byEventLoop.computeIfAbsent(loop, l ->
      ClusterConnection.open(vertx, client, settings.commandTimeoutMs(), () -> byEventLoop.remove(l))
        .onFailure(err -> byEventLoop.remove(l)));
    return shared.map(ClusterConnection::share);
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
