package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived, pipelined cluster connection, used from the event loop that opened it.
 *
 * <p>The client's pooled {@code send()} borrows a connection to every node for each command, which is
 * slower and fails every call while any one node is down. This connection routes each command by slot
 * over sockets it keeps open, follows the refreshed slot map, and opens sockets to new masters lazily.
 * A socket that died stays dead inside it, though, so after a failure that is not a Redis error reply a
 * replacement is built in the background and swapped in once it connects: a node that comes back on
 * the same address is used again, and calls to the healthy nodes never wait for it. The replacement
 * starts when a node socket closes, or when a call fails for a reason other than a Redis error reply.
 */
public final class ClusterConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterConnection.class);
  private static final long REPLACE_EVERY_MS = 500;
  /**
   * Replies of a node that cannot take the command now but may in a moment; NOREPLICAS is a master
   * with {@code min-replicas-to-write} that has too few replicas in sync (one cut off, dead, or not
   * yet back after a failover): it refuses the whole script before anything is written.
   */
  private static final List<String> TRANSIENT_REPLIES =
    List.of("CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "READONLY", "MOVED", "ASK", "NOREPLICAS");

  private final Vertx vertx;
  private final Redis client;
  private final long connectTimeoutMs;
  private final long commandTimeoutMs;
  private final Runnable onClosed;
  private RedisConnection current;
  private boolean replacing;
  private Promise<Void> replaced = Promise.promise();
  private boolean closed;
  private int users;

  private ClusterConnection(Vertx vertx, Redis client, RedisSettings settings, Runnable onClosed) {
    this.vertx = vertx;
    this.client = client;
    this.connectTimeoutMs = settings.connectTimeoutMs();
    this.commandTimeoutMs = settings.commandTimeoutMs();
    this.onClosed = onClosed;
  }

  static Future<ClusterConnection> open(Vertx vertx, Redis client, RedisSettings settings, Runnable onClosed) {
    ClusterConnection connection = new ClusterConnection(vertx, client, settings, onClosed);
    return connection.connect().map(conn -> {
      connection.use(conn);
      return connection;
    });
  }

  /**
   * A cluster connection within {@code redis.connectTimeoutMs}, or a failure that says so: the
   * client itself would wait for ever for a pooled socket, or for a node that accepts and never
   * answers. One that arrives late is closed.
   */
  private Future<RedisConnection> connect() {
    Future<RedisConnection> connecting = client.connect();
    return connecting.timeout(connectTimeoutMs, TimeUnit.MILLISECONDS).recover(err -> {
      connecting.onSuccess(RedisConnection::close);
      return Future.failedFuture(new ConnectException("cannot connect to the Redis cluster (redis.nodes) within "
        + connectTimeoutMs + " ms (redis.connectTimeoutMs): " + err.getMessage()));
    });
  }

  /** A node socket that closes or breaks (the node died) starts the replacement before calls fail on it. */
  private void use(RedisConnection conn) {
    current = conn;
    replaced.tryComplete();
    replaced = Promise.promise();
    conn.endHandler(v -> {
      if (current == conn) {
        replaceSoon();
      }
    });
    conn.exceptionHandler(err -> {
      LOG.debug("A Redis node connection failed: {}", err.toString());
      if (current == conn) {
        replaceSoon();
      }
    });
  }

  /**
   * Whether Redis answered the command with an error reply, rather than the call failing on its way
   * (a closed or broken socket, a timeout). Batches report broken sockets as error replies too.
   */
  public static boolean isErrorReply(Throwable err) {
    return err instanceof ErrorType e && !e.is("CONNECTION_CLOSED") && !e.getMessage().contains("Exception");
  }

  /**
   * Whether a failure is the cluster's passing state (a node down or failing over, a slot moving):
   * the same call may well succeed in a moment.
   */
  public static boolean isTransient(Throwable err) {
    return !isErrorReply(err) || TRANSIENT_REPLIES.stream().anyMatch(((ErrorType) err)::is)
      || TRANSIENT_REPLIES.stream().anyMatch(kind -> err.getMessage().contains("] " + kind));
  }

  /**
   * Completes once a replacement under way is swapped in, at once when none is; fails when its
   * attempt to connect fails (a node is still down), or after {@code withinMs}.
   */
  public Future<Void> replacement(long withinMs) {
    if (!replacing) {
      return Future.succeededFuture();
    }
    // a promise of the caller's context, so that its timeout fires on the event loop too
    Promise<Void> waiting = ((ContextInternal) vertx.getOrCreateContext()).promise();
    replaced.future().onComplete(waiting);
    return waiting.future().timeout(withinMs, TimeUnit.MILLISECONDS);
  }

  /** Sends one command; fails within the command timeout when its node cannot answer. */
  public Future<Response> send(Request request) {
    return watch(current.send(request));
  }

  /** Sends commands to one node (the one their keys live on), in order, on one socket. */
  public Future<List<Response>> batch(List<Request> requests) {
    return watch(current.batch(requests));
  }

  private <T> Future<T> watch(Future<T> call) {
    return call
      .timeout(commandTimeoutMs, TimeUnit.MILLISECONDS)
      .onFailure(err -> {
        if (!isErrorReply(err)) {
          replaceSoon();
        }
      });
  }

  private void replaceSoon() {
    if (replacing || closed) {
      return;
    }
    replacing = true;
    vertx.setTimer(REPLACE_EVERY_MS, id -> connect()
      .onSuccess(fresh -> {
        replacing = false;
        if (closed) {
          fresh.close();
          return;
        }
        RedisConnection old = current;
        use(fresh);
        // calls already sent on the old one finish (or time out) first
        vertx.setTimer(commandTimeoutMs, t -> old.close());
        LOG.info("Replaced the Redis cluster connection after a node failure");
      })
      .onFailure(err -> {
        LOG.debug("Cluster connection not replaced yet: {}", err.getMessage());
        replacing = false;
        Promise<Void> waiting = replaced;
        replaced = Promise.promise();
        waiting.fail(err); // a node is still down: whoever waits for a replacement stops waiting
        replaceSoon();
      }));
  }

  /** One user more; each user closes once. */
  ClusterConnection share() {
    users++;
    return this;
  }

  /** One user fewer; the last one closes the sockets. */
  public Future<Void> close() {
    if (--users > 0) {
      return Future.succeededFuture();
    }
    closed = true;
    onClosed.run();
    return current.close();
  }
}
