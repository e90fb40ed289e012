package boxoffice.waitlist;

import boxoffice.bus.Addresses;
import boxoffice.bus.Commands;
import boxoffice.redis.RedisCluster;
import boxoffice.store.EventStore;
import boxoffice.store.Ids;
import boxoffice.store.Keys;
import boxoffice.store.Script;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.List;

/** Serves the waitlist commands: join, read an entry, leave. */
public final class WaitlistVerticle extends VerticleBase {

  private final RedisCluster redis;
  private final String maxSeatsPerUser;
  private EventStore store;

  public WaitlistVerticle(RedisCluster redis, int maxSeatsPerUser) {
    this.redis = redis;
    this.maxSeatsPerUser = String.valueOf(maxSeatsPerUser);
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).compose(opened -> {
      store = opened;
      return Commands.serve(vertx.eventBus(), List.of(
        Commands.of(Addresses.WAITLIST_JOIN, this::join),
        Commands.of(Addresses.WAITLIST_GET, this::get),
        Commands.of(Addresses.WAITLIST_LEAVE, this::leave)));
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  /** Replies the entry, with "created": true when this call added it (201) rather than found it (200). */
  private Future<JsonObject> join(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    return store.run(Script.JOIN, eventId, List.of(Ids.require(cmd.getString("userId")),
        String.valueOf(cmd.getInteger("quantity")), maxSeatsPerUser))
      .compose(reply -> {
        if (reply.containsKey("index")) {
          store.index(eventId, reply.getLong("index"));
        }
        JsonObject entry = reply.getJsonObject("ok");
        Future<JsonObject> view = "promoted".equals(entry.getString("status"))
          ? get(new JsonObject().put("eventId", eventId).put("userId", entry.getString("userId")))
          : Future.succeededFuture(view(entry));
        return view.map(json -> json.put("created", reply.getBoolean("created", false)));
      });
  }

  private Future<JsonObject> get(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    String userId = cmd.getString("userId");
    Future<Response> entry = store.send(Request.cmd(Command.HGETALL).arg(Keys.waiter(eventId, userId)));
    Future<Response> rank = store.send(Request.cmd(Command.ZRANK).arg(Keys.waitlist(eventId)).arg(userId));
    return Future.all(entry, rank).compose(both -> {
      Response hash = entry.result();
      if (hash.size() == 0) {
        return Commands.notFound("the user is not on this event's waitlist");
      }
      JsonObject json = new JsonObject()
        .put("userId", userId)
        .put("quantity", hash.get("quantity").toInteger())
        .put("joinedAt", hash.get("joined_at").toLong())
        .put("status", hash.get("status").toString());
      if (rank.result() != null) {
        json.put("position", rank.result().toLong() + 1);
      }
      if (hash.get("reservation") == null) {
        return Future.succeededFuture(view(json));
      }
      String reservationId = hash.get("reservation").toString();
      return store.send(Request.cmd(Command.HGET).arg(Keys.reservation(eventId, reservationId)).arg("expires_at"))
        .map(expiresAt -> view(json.put("reservationId", reservationId)
          .put("expiresAt", expiresAt == null ? null : expiresAt.toLong())));
    });
  }

  private Future<JsonObject> leave(JsonObject cmd) {
    return store.run(Script.LEAVE, cmd.getString("eventId"), List.of(Ids.require(cmd.getString("userId"))))
      .map(reply -> new JsonObject());
  }

  /** {userId, quantity, status, position?, joinedAt, reservationId?, expiresAt?} with times as ISO-8601. */
  private static JsonObject view(JsonObject entry) {
    JsonObject json = entry.copy();
    json.put("joinedAt", Instant.ofEpochMilli(entry.getLong("joinedAt")).toString());
    if (entry.getLong("expiresAt") != null) {
      json.put("expiresAt", Instant.ofEpochMilli(entry.getLong("expiresAt")).toString());
    } else {
      json.remove("expiresAt");
    }
    return json;
  }
}
