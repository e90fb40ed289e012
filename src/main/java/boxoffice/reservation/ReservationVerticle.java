package boxoffice.reservation;

import boxoffice.bus.Addresses;
import boxoffice.bus.Failure;
import boxoffice.redis.ClusterConnection;
import boxoffice.redis.LuaScript;
import boxoffice.redis.RedisCluster;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Serves the event and reservation commands on the event bus. Every state change is one script of
 * {@code lua/}; every change is published as a domain event.
 */
public final class ReservationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ReservationVerticle.class);

  private final RedisCluster redis;
  private final int defaultHoldSeconds;
  private ClusterConnection connection;
  private LuaScript createEvent;
  private LuaScript hold;
  private LuaScript confirm;
  private LuaScript cancel;

  public ReservationVerticle(RedisCluster redis, int defaultHoldSeconds) {
    this.redis = redis;
    this.defaultHoldSeconds = defaultHoldSeconds;
  }

  @Override
  public Future<?> start() {
    Future<LuaScript> create = LuaScript.load(vertx, "create_event");
    Future<LuaScript> holdScript = LuaScript.load(vertx, "hold");
    Future<LuaScript> confirmScript = LuaScript.load(vertx, "confirm");
    Future<LuaScript> cancelScript = LuaScript.load(vertx, "cancel");
    return Future.all(create, holdScript, confirmScript, cancelScript)
      .compose(loaded -> {
        createEvent = create.result();
        hold = holdScript.result();
        confirm = confirmScript.result();
        cancel = cancelScript.result();
        return redis.connect();
      })
      .compose(conn -> {
        connection = conn;
        EventBus bus = vertx.eventBus();
        return Future.all(List.of(
          bus.<JsonObject>consumer(Addresses.EVENT_CREATE, msg -> serve(msg, this::createEvent)).completion(),
          bus.<JsonObject>consumer(Addresses.EVENT_GET, msg -> serve(msg, this::getEvent)).completion(),
          bus.<JsonObject>consumer(Addresses.EVENT_SEATS, msg -> serve(msg, this::getSeats)).completion(),
          bus.<JsonObject>consumer(Addresses.RESERVATION_HOLD, msg -> serve(msg, this::hold)).completion(),
          bus.<JsonObject>consumer(Addresses.RESERVATION_GET, msg -> serve(msg, this::getReservation)).completion(),
          bus.<JsonObject>consumer(Addresses.RESERVATION_CONFIRM, msg -> serve(msg, this::confirm)).completion(),
          bus.<JsonObject>consumer(Addresses.RESERVATION_CANCEL, msg -> serve(msg, this::cancel)).completion()));
      });
  }

  @Override
  public Future<?> stop() {
    return connection == null ? Future.succeededFuture() : connection.close();
  }

  private void serve(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> command) {
    Future<JsonObject> result;
    try {
      result = command.apply(msg.body());
    } catch (IllegalArgumentException e) {
      result = Future.failedFuture(Failure.INVALID.exception(problem("invalid", e.getMessage())));
    }
    result.onSuccess(msg::reply).onFailure(err -> {
      if (err instanceof ReplyException r) {
        msg.fail(r.failureCode(), r.getMessage());
      } else if (err instanceof ErrorType e && !e.is("CLUSTERDOWN") && !e.is("TRYAGAIN")) {
        LOG.error("Redis refused a command", err);
        Failure.INTERNAL.fail(msg, "internal", "the store refused the command");
      } else {
        Failure.UNAVAILABLE.fail(msg, "unavailable", "the event's shard cannot answer right now: " + err.getMessage());
      }
    });
  }

  private Future<JsonObject> createEvent(JsonObject cmd) {
    String eventId = cmd.getString("id");
    JsonArray seatIds = cmd.getJsonArray("seatIds");
    int holdSeconds = cmd.getInteger("holdSeconds", defaultHoldSeconds);
    List<String> args = new ArrayList<>(List.of(eventId, cmd.getString("name"), cmd.getString("venue"),
      cmd.getValue("price").toString(), String.valueOf(holdSeconds)));
    if (seatIds == null) {
      args.addAll(List.of("grid", cmd.getInteger("rows").toString(), cmd.getInteger("seatsPerRow").toString()));
    } else {
      args.addAll(List.of("list", "0", "0"));
      seatIds.forEach(seat -> args.add((String) seat));
    }
    return run(createEvent, eventId, args).compose(created -> getEvent(new JsonObject().put("eventId", eventId)));
  }

  private Future<JsonObject> getEvent(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    Future<Response> meta = connection.send(Request.cmd(Command.HGETALL).arg(Keys.event(eventId)));
    Future<Response> stats = connection.send(Request.cmd(Command.HGETALL).arg(Keys.stats(eventId)));
    Future<Response> waitlist = connection.send(Request.cmd(Command.ZCARD).arg(Keys.waitlist(eventId)));
    return Future.all(meta, stats, waitlist).compose(all -> meta.result().size() == 0
      ? notFound("no such event")
      : Future.succeededFuture(Views.event(meta.result(), stats.result(), waitlist.result().toLong())));
  }

  private Future<JsonObject> getSeats(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    return connection.send(Request.cmd(Command.HGETALL).arg(Keys.seats(eventId))).compose(seats -> {
      if (seats.size() == 0) {
        return notFound("no such event");
      }
      JsonObject map = new JsonObject();
      for (String seat : seats.getKeys()) {
        String state = seats.get(seat).toString();
        map.put(seat, state.startsWith("pending:") ? "held" : state.startsWith("sold:") ? "sold" : "available");
      }
      return Future.succeededFuture(map);
    });
  }

  private Future<JsonObject> hold(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    String userId = cmd.getString("userId");
    JsonArray seats = cmd.getJsonArray("seats", new JsonArray());
    int quantity = cmd.getInteger("quantity", 0);
    String fingerprint = quantity > 0 ? "quantity:" + quantity : "seats:" + String.join(",", seats.<String>getList());
    List<String> args = new ArrayList<>(List.of(Ids.random(), Ids.require(userId),
      cmd.getString("idempotencyKey", ""), fingerprint, String.valueOf(quantity)));
    seats.forEach(seat -> args.add((String) seat));
    return run(hold, eventId, args).map(reply -> {
      JsonObject created = reply.getJsonObject("ok");
      if (reply.getBoolean("replayed", false)) {
        return Views.reservation(eventId, created, created.getLong("createdAt")); // the first answer
      }
      publish(Addresses.RESERVATION_CREATED, eventId, created);
      if (reply.getBoolean("first", false)) {
        indexForSweeper(eventId, created.getLong("expiresAt"));
      }
      return Views.reservation(eventId, created, System.currentTimeMillis());
    });
  }

  private Future<JsonObject> getReservation(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    String reservationId = cmd.getString("reservationId");
    return connection.send(Request.cmd(Command.HGETALL).arg(Keys.reservation(eventId, reservationId)))
      .compose(hash -> hash.size() == 0
        ? notFound("no such reservation")
        : Future.succeededFuture(Views.reservation(eventId, reservationId, hash, System.currentTimeMillis())));
  }

  private Future<JsonObject> confirm(JsonObject cmd) {
    return endHold(confirm, cmd, Addresses.RESERVATION_CONFIRMED, "confirmed");
  }

  private Future<JsonObject> cancel(JsonObject cmd) {
    return endHold(cancel, cmd, Addresses.RESERVATION_CANCELLED, "cancelled");
  }

  /** Confirm or cancel: publishes only when this call made the change, so a repeat publishes nothing. */
  private Future<JsonObject> endHold(LuaScript script, JsonObject cmd, String address, String status) {
    String eventId = cmd.getString("eventId");
    String reservationId = Ids.require(cmd.getString("reservationId"));
    long before = System.currentTimeMillis();
    return run(script, eventId, List.of(reservationId, Ids.require(cmd.getString("userId")))).map(reply -> {
      JsonObject r = reply.getJsonObject("ok");
      if (reply.getBoolean("changed", false)) {
        publish(address, eventId, r);
      }
      return Views.reservation(eventId, r, before);
    });
  }

  /** Runs an event script; publishes the holds it found expired; turns a "fail" reply into a failure. */
  private Future<JsonObject> run(LuaScript script, String eventId, List<String> args) {
    return script.call(connection, Keys.forScripts(eventId), args).compose(response -> {
      JsonObject reply = new JsonObject(response.toString());
      DomainEvents.publishReleased(vertx.eventBus(), eventId, reply);
      String fail = reply.getString("fail");
      if (fail == null) {
        return Future.succeededFuture(reply);
      }
      JsonObject problem = reply.copy();
      problem.remove("fail");
      problem.remove("released");
      problem.remove("replayed");
      problem.put("type", fail.replace('_', '-'));
      return Future.failedFuture(failureOf(fail).exception(problem));
    });
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

  private void publish(String address, String eventId, JsonObject reservation) {
    DomainEvents.publish(vertx.eventBus(), address, eventId, reservation);
  }

  /** Puts the event in the sweeper's index; see ExpirySweeperVerticle for why this order is safe. */
  private void indexForSweeper(String eventId, long expiresAt) {
    String shard = Keys.sweepShard(Keys.sweepShardOf(eventId, ExpirySweeperVerticle.SHARDS));
    connection.send(Request.cmd(Command.ZADD).arg(shard).arg("LT").arg(expiresAt).arg(eventId))
      .onFailure(err -> LOG.warn("Event {} not indexed for the sweeper (lazy expiry still applies): {}",
        eventId, err.getMessage()));
  }

  private static Future<JsonObject> notFound(String detail) {
    return Future.failedFuture(Failure.NOT_FOUND.exception(problem("not-found", detail)));
  }

  private static JsonObject problem(String type, String detail) {
    return new JsonObject().put("type", type).put("detail", detail);
  }
}
