package boxoffice.store;

import boxoffice.bus.Failure;
import boxoffice.redis.ClusterConnection;
import boxoffice.redis.LuaScript;
import boxoffice.redis.RedisCluster;
import boxoffice.redis.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A verticle's access to the events in Redis: its own cluster connection and the scripts. Running a
 * script publishes the domain events it emitted and turns its "fail" replies into command failures.
 */
public final class EventStore {

  /** How many keys the sweeper's index of events is spread over. */
  public static final int SWEEP_SHARDS = 16;
  private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);

  private final Vertx vertx;
  private final RedisSettings settings;
  private final ClusterConnection connection;
  private final Map<Script, LuaScript> scripts;

  private EventStore(Vertx vertx, RedisSettings settings, ClusterConnection connection, Map<Script, LuaScript> scripts) {
    this.vertx = vertx;
    this.settings = settings;
    this.connection = connection;
    this.scripts = scripts;
  }

  /** Loads the scripts and opens a connection for the calling verticle. */
  public static Future<EventStore> open(Vertx vertx, RedisCluster redis) {
    Map<Script, LuaScript> scripts = new EnumMap<>(Script.class);
    List<Future<LuaScript>> loads = Arrays.stream(Script.values())
      .map(s -> LuaScript.load(vertx, s.file()).onSuccess(loaded -> scripts.put(s, loaded)))
      .toList();
    return Future.all(loads)
      .compose(loaded -> redis.connect())
      .map(connection -> new EventStore(vertx, redis.settings(), connection, scripts));
  }

  /** Runs an event script; succeeds with its reply, or fails with the command failure it stands for. */
  public Future<JsonObject> run(Script script, String eventId, List<String> args) {
    return scripts.get(script).call(connection, Keys.forScripts(eventId), args).compose(this::outcome);
  }

  /**
   * Runs an event script whose change must survive the loss of its master: succeeds only once
   * {@code redis.confirmReplicas} replicas have it. Otherwise it fails as unavailable, and the caller
   * may repeat the call: the scripts run this way answer a repeat with the same result.
   */
  public Future<JsonObject> runReplicated(Script script, String eventId, List<String> args) {
    if (settings.confirmReplicas() == 0) {
      return run(script, eventId, args);
    }
    return scripts.get(script)
      .callReplicated(connection, Keys.forScripts(eventId), args, settings.confirmReplicas(), settings.confirmWaitMs())
      .compose(replies -> outcome(replies.get(0)).compose(reply -> {
        if (replies.get(1).toInteger() >= settings.confirmReplicas()) {
          return Future.succeededFuture(reply);
        }
        return Future.failedFuture(Failure.UNAVAILABLE.exception(new JsonObject().put("type", "not-replicated")
          .put("detail", "the change is on the event's master but no replica has acknowledged it yet; "
            + "repeat the request, a repeat is safe")));
      }));
  }

  private Future<JsonObject> outcome(Response response) {
    {
      JsonObject reply = new JsonObject(response.toString());
      publish(reply.getJsonArray("events"));
      String fail = reply.getString("fail");
      if (fail == null) {
        return Future.succeededFuture(reply);
      }
      JsonObject problem = new JsonObject();
      reply.forEach(field -> {
        if (!List.of("fail", "events", "replayed").contains(field.getKey())) {
          problem.put(field.getKey(), field.getValue());
        }
      });
      problem.put("type", fail.replace('_', '-'));
      return Future.failedFuture(failureOf(fail).exception(problem));
    }
  }

  /** Every domain event on {@code boxoffice.TYPE} ({@code boxoffice.reservation.created}, ...). */
  private void publish(JsonArray events) {
    if (events != null) {
      for (int i = 0; i < events.size(); i++) {
        JsonObject event = events.getJsonObject(i);
        vertx.eventBus().publish("boxoffice." + event.getString("type"), event.getJsonObject("data"));
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

  /**
   * Puts the event in the sweeper's index, to be looked at by {@code at} (ms) at the latest; called
   * when a script says the index may lack the event (see ExpirySweeperVerticle for why that is enough).
   */
  public void index(String eventId, long at) {
    String shard = Keys.sweepShard(Keys.sweepShardOf(eventId, SWEEP_SHARDS));
    connection.send(Request.cmd(Command.ZADD).arg(shard).arg("LT").arg(at).arg(eventId))
      .onFailure(err -> LOG.warn("Event {} not indexed for the sweeper (lazy expiry still applies): {}",
        eventId, err.getMessage()));
  }

  public Future<Void> close() {
    return connection.close();
  }
}
