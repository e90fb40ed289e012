package boxoffice.reservation;

import boxoffice.redis.ClusterConnection;
import boxoffice.redis.LuaScript;
import boxoffice.redis.RedisCluster;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Releases expired holds of every event, including events no request touches again and holds made
 * before a restart: all its state is in Redis.
 *
 * <p>It finds the events through a small index sharded over {@link #SHARDS} keys (event id scored by
 * the time its next hold expires), so it neither scans the keyspace nor hammers one global key. A hold
 * that finds no other pending hold in its event adds the event after its script ran. For a due event
 * the sweeper runs the expire script, then either moves the event's score to its next expiry, or
 * removes it and runs the script once more, putting it back if a hold slipped in meanwhile: a hold that
 * landed before that second run is seen by it, and one that landed after it found no pending hold and
 * so adds the event itself. Several sweepers (one per process) may pass over the same event: releasing
 * is idempotent, and only the pass that released a hold publishes its expiry.
 */
public final class ExpirySweeperVerticle extends VerticleBase {

  static final int SHARDS = 16;
  private static final int EVENTS_PER_SHARD_PASS = 100;
  private static final int HOLDS_PER_CALL = 256;
  private static final Logger LOG = LoggerFactory.getLogger(ExpirySweeperVerticle.class);

  private final RedisCluster redis;
  private final long intervalMs;
  private ClusterConnection connection;
  private LuaScript expire;
  private long timer = -1;
  private boolean stopped;

  public ExpirySweeperVerticle(RedisCluster redis, long intervalMs) {
    this.redis = redis;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    return LuaScript.load(vertx, "expire")
      .compose(script -> {
        expire = script;
        return redis.connect();
      })
      .onSuccess(conn -> {
        connection = conn;
        schedule();
      });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return connection == null ? Future.succeededFuture() : connection.close();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(intervalMs, id -> sweep().onComplete(done -> schedule()));
    }
  }

  /** One pass over every shard; a failing shard does not hold up the others. */
  Future<Void> sweep() {
    List<Future<Void>> shards = new ArrayList<>(SHARDS);
    for (int shard = 0; shard < SHARDS; shard++) {
      shards.add(sweepShard(Keys.sweepShard(shard))
        .onFailure(err -> LOG.debug("Sweep of a shard failed, next pass retries: {}", err.getMessage())));
    }
    return Future.join(shards).mapEmpty();
  }

  private Future<Void> sweepShard(String shard) {
    Request due = Request.cmd(Command.ZRANGE).arg(shard).arg("-inf").arg(System.currentTimeMillis())
      .arg("BYSCORE").arg("LIMIT").arg(0).arg(EVENTS_PER_SHARD_PASS);
    return connection.send(due).compose(events -> {
      List<Future<Void>> passes = new ArrayList<>(events.size());
      for (Response event : events) {
        passes.add(sweepEvent(shard, event.toString()));
      }
      return Future.join(passes).mapEmpty();
    });
  }

  private Future<Void> sweepEvent(String shard, String eventId) {
    return expire(eventId).compose(next -> next != null
      ? connection.send(Request.cmd(Command.ZADD).arg(shard).arg(next).arg(eventId)).mapEmpty()
      : connection.send(Request.cmd(Command.ZREM).arg(shard).arg(eventId))
        .compose(removed -> expire(eventId))
        .compose(slipped -> slipped == null
          ? Future.succeededFuture()
          : connection.send(Request.cmd(Command.ZADD).arg(shard).arg("LT").arg(slipped).arg(eventId)).mapEmpty()));
  }

  /** Releases the event's due holds; the time its next hold expires, or null when none is pending. */
  private Future<Long> expire(String eventId) {
    return expire.call(connection, Keys.forScripts(eventId), List.of(String.valueOf(HOLDS_PER_CALL)))
      .map(response -> {
        JsonObject reply = new JsonObject(response.toString());
        DomainEvents.publishReleased(vertx.eventBus(), eventId, reply);
        return reply.getLong("next");
      });
  }
}
