package boxoffice.redis;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's one Redis client, in cluster mode, with every node as a seed and every socket opened
 * through the address map. Verticles get their event loop's {@link ClusterConnection} from it.
 */
public final class RedisCluster {

  private final Vertx vertx;
  private final RemappingVertx remapping;
  private final NetClientOptions netOptions;
  private final Redis client;
  private final RedisSettings settings;
  private final Map<EventLoop, Future<ClusterConnection>> byEventLoop = new ConcurrentHashMap<>();
  private Future<LuaLibrary> library;

  private RedisCluster(Vertx vertx, RedisSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.remapping = new RemappingVertx((VertxInternal) vertx, settings.addressMap());
    this.netOptions = new NetClientOptions()
      .setConnectTimeout(settings.connectTimeoutMs())
      .setTcpNoDelay(true)
      .setTcpKeepAlive(true);
    int poolSize = poolSize(settings.maxPoolSize(), eventLoops(vertx));
    RedisOptions options = new RedisOptions()
      .setType(RedisClientType.CLUSTER)
      .setEndpoints(settings.nodes())
      .setMaxPoolSize(poolSize)
      .setMaxPoolWaiting(Math.max(poolSize * 32, 1024))
      .setMaxWaitingHandlers(65536)
      .setNetClientOptions(netOptions);
    this.client = Redis.createClient(remapping, options);
  }

  public static RedisCluster create(Vertx vertx, RedisSettings settings) {
    return new RedisCluster(vertx, settings);
  }

  /**
   * Sockets the pool may hold per node: at least the configured number, and always room for each
   * event loop's connection, its replacement (built before the old one closes) and the slot-map
   * reads the client borrows one for. A smaller pool makes {@code connect()} wait for ever.
   */
  static int poolSize(int configured, int eventLoops) {
    return Math.max(configured, 2 * eventLoops + 2);
  }

  private static int eventLoops(Vertx vertx) {
    int loops = 0;
    for (EventExecutor ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      loops++;
    }
    return loops;
  }

  /**
   * The long-lived connection of the calling verticle's event loop, shared by the verticles on that
   * loop: it pipelines their calls on few sockets and keeps the pool's use bounded by the number of
   * event loops. Each caller closes it once; the last close really closes it.
   */
  public Future<ClusterConnection> connect() {
    EventLoop loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
    Future<ClusterConnection> shared = byEventLoop.computeIfAbsent(loop, l ->
      ClusterConnection.open(vertx, client, settings, () -> byEventLoop.remove(l))
        .onFailure(err -> byEventLoop.remove(l)));
    return shared.map(ClusterConnection::share);
  }

  /**
   * A client of one node ({@code host:port} as the cluster announces it, reached through the address
   * map), for calls that must go to that node on sockets of their own; the caller closes it.
   */
  public Redis node(String address) {
    return Redis.createClient(remapping, new RedisOptions()
      .setType(RedisClientType.STANDALONE)
      .setConnectionString("redis://" + address)
      .setMaxPoolSize(2)
      .setMaxPoolWaiting(1024)
      .setNetClientOptions(netOptions));
  }

  /** The scripts as one library, read once per process (whoever asks first names them). */
  public synchronized Future<LuaLibrary> library(List<String> scripts) {
    if (library == null) {
      library = LuaLibrary.load(vertx, scripts);
    }
    return library;
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
