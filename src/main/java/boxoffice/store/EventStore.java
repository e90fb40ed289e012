package boxoffice.store;

import boxoffice.bus.Addresses;
import boxoffice.bus.Failure;
import boxoffice.redis.ClusterConnection;
import boxoffice.redis.LuaLibrary;
import boxoffice.redis.Masters;
import boxoffice.redis.RedisCluster;
import boxoffice.redis.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * A verticle's access to the events in Redis: its own cluster connection and the scripts. Running a
 * script publishes the domain events it emitted and turns its "fail" replies into command failures.
 */
public final class EventStore {

  /** How many keys the sweeper's index of events is spread over. */
  public static final int SWEEP_SHARDS = 16;
  private static final long REPEAT_WITHIN_MS = 1000;
  private static final long INDEX_RETRY_FIRST_MS = 250;
  private static final long INDEX_RETRY_MAX_MS = 10_000;
  /** Replies that the same command would get again; any other failure (BUSY, OOM, a failover) passes. */
  private static final List<String> PERMANENT_REPLIES = List.of("ERR", "WRONGTYPE", "NOPERM", "NOAUTH");
  /** Members of a script's "fail" reply that are for the service, not for the problem it answers. */
  private static final Set<String> NOT_FOR_CLIENTS = Set.of("fail", "events", "replayed", "full");
  private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);

  private final Vertx vertx;
  private final RedisCluster redis;
  private final ClusterConnection connection;
  private final LuaLibrary library;
  private final LocalMap<String, Boolean> watched;
  private Masters masters;
  private Future<Void> loading;
  private boolean closed;

  private EventStore(Vertx vertx, RedisCluster redis, ClusterConnection connection, LuaLibrary library) {
    this.vertx = vertx;
    this.redis = redis;
    this.connection = connection;
    this.library = library;
    this.watched = vertx.sharedData().getLocalMap(Addresses.WATCHED_EVENTS);
  }

  /** The scripts' library and a connection for the calling verticle. */
  public static Future<EventStore> open(Vertx vertx, RedisCluster redis) {
    return redis.library(Arrays.stream(Script.values()).map(Script::file).toList())
      .compose(library -> redis.connect().map(connection -> new EventStore(vertx, redis, connection, library)));
  }

  /**
   * Runs an event script; succeeds with its reply, or fails with the command failure it stands for.
   */
  public Future<JsonObject> run(Script script, String eventId, List<String> args) {
    return reply(script, eventId, args).compose(EventStore::outcome);
  }

  /**
   * Runs an event script and publishes the domain events it emitted; its reply as it is, a "fail"
   * too. A repeatable script whose call broke on its way (a node socket closed under it) is repeated
   * once, on the connection that replaces the broken one when the next attempt to open one succeeds
   * (a node restarted on its address), else at once on the old one (a failover may have moved the slot).
   */
  public Future<JsonObject> reply(Script script, String eventId, List<String> args) {
    return call(script, eventId, args)
      .recover(err -> script.repeatable && !ClusterConnection.isErrorReply(err) && !(err instanceof TimeoutException)
        ? connection.replacement(REPEAT_WITHIN_MS).otherwiseEmpty().compose(swapped -> call(script, eventId, args))
        : Future.failedFuture(err))
      .recover(err -> Future.failedFuture(err instanceof ErrorType reply && reply.is("DRIFT")
        ? drift(script, eventId, reply)
        : err))
      .map(response -> accept(eventId, response));
  }

  private Future<Response> call(Script script, String eventId, List<String> args) {
    Request call = request(script, eventId, args);
    return connection.send(call).recover(err -> LuaLibrary.isMissing(err)
      ? loadLibrary().compose(loaded -> connection.send(call))
      : Future.failedFuture(err));
  }

  /**
   * Loads the library on every master: a master that lacks it (a spare taken in, a node whose data
   * was lost) answers a call "Function not found". Calls that find it missing meanwhile share one load.
   */
  Future<Void> loadLibrary() {
    if (loading == null) {
      Masters all = masters();
      loading = all.refresh()
        .compose(read -> Future.all(all.all().stream().map(master -> all.client(master).send(library.loading())).toList()))
        .<Void>mapEmpty()
        .onSuccess(loaded -> LOG.info("Loaded the scripts' library on every master"))
        .andThen(done -> loading = null);
    }
    return loading;
  }

  /**
   * A script found the event's records disagreeing and refused to write (see {@code drift} in
   * lua/lib.lua): logged, published locally for the metrics, answered as an internal failure.
   */
  private ReplyException drift(Script script, String eventId, ErrorType reply) {
    LOG.error("Event {}: {} refused, its records disagree: {}", eventId, script.file(), reply.getMessage());
    vertx.eventBus().publish(Addresses.DRIFT, new JsonObject().put("eventId", eventId).put("script", script.file()),
      Addresses.LOCAL);
    return Failure.INTERNAL.exception(new JsonObject().put("type", "inconsistent-state")
      .put("detail", "the event's records disagree with each other; nothing was sold or released, "
        + "and the disagreement is reported to the operators"));
  }

  /** A script's reply, its domain events published. */
  JsonObject accept(String eventId, Response response) {
    JsonObject reply = new JsonObject(response.toString());
    publish(eventId, reply.getJsonArray("events"));
    return reply;
  }

  /** The call of a script: {@code FCALL} of its function in the library. */
  Request request(Script script, String eventId, List<String> args) {
    return library.call(script.file(), Keys.forScripts(eventId), args);
  }

  RedisSettings settings() {
    return redis.settings();
  }

  /** The cluster's masters, read through this store's connection, with a client of each (made once). */
  public Masters masters() {
    if (masters == null) {
      masters = new Masters(redis, connection);
    }
    return masters;
  }

  /** A script's reply when it is no "fail", else the command failure the "fail" stands for. */
  public static Future<JsonObject> outcome(JsonObject reply) {
    String fail = reply.getString("fail");
    if (fail == null) {
      return Future.succeededFuture(reply);
    }
    JsonObject problem = new JsonObject();
    reply.forEach(field -> {
      if (!NOT_FOR_CLIENTS.contains(field.getKey())) {
        problem.put(field.getKey(), field.getValue());
      }
    });
    problem.put("type", fail.replace('_', '-'));
    return Future.failedFuture(failureOf(fail).exception(problem));
  }

  /**
   * Every domain event on {@code boxoffice.TYPE} ({@code boxoffice.reservation.created}, ...), then
   * the local signal that the event changed, when the live feed watches it. {@code events}: the
   * change-log entries the script wrote, each its id then its fields.
   */
  private void publish(String eventId, JsonArray events) {
    if (events != null) {
      for (int i = 0; i < events.size(); i++) {
        List<String> entry = events.getJsonArray(i).<String>getList();
        JsonObject event = Changes.event(eventId, entry.subList(1, entry.size()));
        vertx.eventBus().publish("boxoffice." + event.getString("type"), event);
      }
      if (watched.get(eventId) != null) {
        vertx.eventBus().publish(Addresses.CHANGED, eventId, Addresses.LOCAL);
      }
    }
  }

  private static Failure failureOf(String fail) {
    return switch (fail) {
      case "not_found" -> Failure.NOT_FOUND;
      case "forbidden" -> Failure.FORBIDDEN;
      case "invalid", "unknown_seats" -> Failure.INVALID;
      case "idempotency_mismatch" -> Failure.MISMATCH;
      default -> Failure.CONFLICT;
    };
  }

  /** A plain command (reads, the sweeper's index). */
  public Future<Response> send(Request request) {
    return connection.send(request);
  }

  /** A TIME reply in milliseconds: Redis' clock, the one the scripts expire holds by. */
  public static long millis(Response time) {
    return time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
  }

  /** Commands to the node of their keys, in order, on one socket (a command without keys goes along). */
  public Future<List<Response>> batch(List<Request> requests) {
    return connection.batch(requests);
  }

  /**
   * The id of the newest entry of the event's change log, which every change appends to in the same
   * script: the event's version. Null when the log is empty (no such event).
   */
  public Future<String> lastChangeId(String eventId) {
    return send(Request.cmd(Command.XREVRANGE).arg(Keys.changes(eventId)).arg("+").arg("-").arg("COUNT").arg(1))
      .map(last -> last.size() == 0 ? null : last.get(0).get(0).toString());
  }

  /**
   * Puts the event in the sweeper's index, to be looked at by {@code at} (ms) at the latest; called
   * when a script says the index may lack the event (see ExpirySweeperVerticle for why that is enough).
   * Later scripts do not ask again while the event has pending holds or waiters, so a write that fails
   * (the index shard failing over, busy, out of memory) is tried again, less and less often, until it
   * succeeds or Redis refuses the command itself; what this process cannot write (it stops, it dies)
   * the sweeper's reconciliation pass puts back.
   */
  public void index(String eventId, long at) {
    index(eventId, at, INDEX_RETRY_FIRST_MS);
  }

  private void index(String eventId, long at, long retryMs) {
    String shard = Keys.sweepShard(Keys.sweepShardOf(eventId, SWEEP_SHARDS));
    connection.send(Request.cmd(Command.ZADD).arg(shard).arg("LT").arg(at).arg(eventId))
      .onFailure(err -> {
        if (closed) {
          return;
        }
        if (err instanceof ErrorType reply && PERMANENT_REPLIES.stream().anyMatch(reply::is)) {
          LOG.error("Event {} not indexed for the sweeper (lazy expiry still applies)", eventId, err);
          return;
        }
        LOG.warn("Event {} not indexed for the sweeper yet, retrying in {} ms: {}",
          eventId, retryMs, err.getMessage());
        vertx.setTimer(retryMs, t -> index(eventId, at, Math.min(retryMs * 2, INDEX_RETRY_MAX_MS)));
      });
  }

  public Future<Void> close() {
    closed = true;
    return masters == null ? connection.close() : masters.close().transform(closedMasters -> connection.close());
  }
}
