package boxoffice.reservation;

import boxoffice.bus.Addresses;
import boxoffice.bus.CommandFailure;
import boxoffice.bus.Commands;
import boxoffice.bus.Failure;
import boxoffice.redis.HashSlot;
import boxoffice.redis.Masters;
import boxoffice.redis.RedisCluster;
import boxoffice.store.EventStore;
import boxoffice.store.Ids;
import boxoffice.store.Keys;
import boxoffice.store.Script;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Serves the event and reservation commands on the event bus. Every state change is one script of
 * {@code lua/}, which also emits the change's domain events.
 */
public final class ReservationVerticle extends VerticleBase {

  private final RedisCluster redis;
  private final int defaultHoldSeconds;
  private final SoldOutEvents soldOut;
  private static final int LEFTOVERS_PER_UNLINK = 500;

  private EventStore store;
  private SeatMaps seatMaps;
  private EventList events;

  /** The rendered seat maps a process keeps, whatever the number of instances. */
  private static final long SEAT_MAPS_KEPT_BYTES = 64L * 1024 * 1024;

  private final SeatMaps.Kept keptMaps;
  /** hold.maxSeatsPerUser, as the hold script takes it. */
  private final String maxSeatsPerUser;

  /** The instances of one process: they share the seat maps kept. */
  public static Supplier<ReservationVerticle> instances(RedisCluster redis, int defaultHoldSeconds, long soldOutMs,
                                                       int maxSeatsPerUser) {
    SeatMaps.Kept kept = new SeatMaps.Kept(SEAT_MAPS_KEPT_BYTES);
    return () -> new ReservationVerticle(redis, defaultHoldSeconds, soldOutMs, maxSeatsPerUser, kept);
  }

  private ReservationVerticle(RedisCluster redis, int defaultHoldSeconds, long soldOutMs, int maxSeatsPerUser,
                              SeatMaps.Kept keptMaps) {
    this.keptMaps = keptMaps;
    this.maxSeatsPerUser = String.valueOf(maxSeatsPerUser);
    this.redis = redis;
    this.defaultHoldSeconds = defaultHoldSeconds;
    this.soldOut = new SoldOutEvents(soldOutMs);
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).compose(opened -> {
      store = opened;
      seatMaps = new SeatMaps(opened, keptMaps);
      events = new EventList(opened, eventId -> getEvent(new JsonObject().put("eventId", eventId)));
      // seats that come free, through any verticle of this process
      Future<Void> freed = Future.all(List.of(Addresses.RESERVATION_CANCELLED, Addresses.RESERVATION_EXPIRED).stream()
        .map(address -> vertx.eventBus().<JsonObject>consumer(address,
          event -> soldOut.forget(event.body().getString("eventId"))).completion())
        .toList()).mapEmpty();
      return freed.compose(v -> Commands.serve(vertx.eventBus(), List.of(
        Commands.of(Addresses.EVENT_CREATE, this::createEvent),
        Commands.of(Addresses.EVENT_GET, this::getEvent),
        Commands.of(Addresses.EVENT_DELETE, this::deleteEvent),
        Commands.of(Addresses.EVENT_LIST, cmd -> events.page(cmd)),
        Commands.of(Addresses.EVENT_SEATS, cmd -> seatMaps.get(cmd.getString("eventId"))),
        Commands.of(Addresses.RESERVATION_HOLD, this::hold),
        Commands.of(Addresses.RESERVATION_GET, this::getReservation),
        Commands.of(Addresses.RESERVATION_CANCEL, this::cancel))));
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  private Future<JsonObject> createEvent(JsonObject cmd) {
    String eventId = cmd.getString("id");
    JsonArray seatIds = cmd.getJsonArray("seatIds");
    int holdSeconds = cmd.getInteger("holdSeconds", defaultHoldSeconds);
    List<String> args = new ArrayList<>(List.of(eventId, cmd.getString("name"), cmd.getString("venue"),
      cmd.getValue("price").toString(), String.valueOf(holdSeconds)));
    String endsAt = cmd.getString("endsAt") == null ? "" : String.valueOf(Views.millis(cmd.getString("endsAt")));
    if (seatIds == null) {
      args.addAll(List.of("grid", cmd.getInteger("rows").toString(), cmd.getInteger("seatsPerRow").toString(), endsAt));
    } else {
      args.addAll(List.of("list", "0", "0", endsAt));
      seatIds.forEach(seat -> args.add(Ids.require((String) seat)));
    }
    // listed before it exists, so that no event is ever missing from the list
    return events.index(eventId)
      .compose(indexed -> store.run(Script.CREATE_EVENT, eventId, args))
      .compose(created -> {
        if (created.containsKey("index")) {
          store.index(eventId, created.getLong("index")); // the sweeper retires it at its end
        }
        return getEvent(new JsonObject().put("eventId", eventId));
      });
  }

  /**
   * Deletes the event and every key of it. The script removes the event's own keys (from then on no
   * script writes for it); the keys named after its reservations, waiters and idempotent answers are
   * found in its slot on its master and removed after. A delete repeated after a failure between the
   * two finishes the job; one that finds nothing at all is not found.
   */
  private Future<JsonObject> deleteEvent(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    Masters masters = store.masters();
    Future<Boolean> deleted = store.run(Script.DELETE_EVENT, eventId, List.of()).map(true)
      .recover(err -> err instanceof CommandFailure failure && failure.failureCode() == Failure.NOT_FOUND.code
        ? Future.succeededFuture(false)
        : Future.failedFuture(err));
    return deleted.compose(found -> masters.refresh().compose(read -> removeLeftovers(eventId))
      .compose(removed -> events.remove(eventId).map(removed))
      .compose(removed -> {
        if (!found && removed == 0) {
          return Commands.notFound("no such event");
        }
        vertx.eventBus().publish(Addresses.EVENT_DELETED, new JsonObject().put("type", "event.deleted")
          .put("eventId", eventId).put("time", Instant.now().toString()));
        return Future.succeededFuture(new JsonObject());
      }));
  }

  /** Removes what is left of a deleted event in its slot; how many keys. */
  private Future<Integer> removeLeftovers(String eventId) {
    Masters masters = store.masters();
    String key = Keys.event(eventId);
    Redis master = masters.client(masters.of(key));
    int slot = HashSlot.of(key);
    return master.send(Request.cmd(Command.CLUSTER).arg("COUNTKEYSINSLOT").arg(slot))
      .compose(count -> master.send(Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(slot).arg(count.toInteger())))
      .compose(keys -> {
        List<String> ours = new ArrayList<>();
        keys.forEach(k -> {
          if (k.toString().startsWith(key + ":")) {
            ours.add(k.toString());
          }
        });
        List<Future<Response>> unlinks = new ArrayList<>();
        for (int from = 0; from < ours.size(); from += LEFTOVERS_PER_UNLINK) {
          Request unlink = Request.cmd(Command.UNLINK);
          ours.subList(from, Math.min(from + LEFTOVERS_PER_UNLINK, ours.size())).forEach(unlink::arg);
          unlinks.add(master.send(unlink));
        }
        return Future.all(unlinks).map(ours.size());
      });
  }

  private Future<JsonObject> getEvent(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    Future<Response> meta = store.send(Request.cmd(Command.HGETALL).arg(Keys.event(eventId)));
    Future<Response> stats = store.send(Request.cmd(Command.HGETALL).arg(Keys.stats(eventId)));
    Future<Response> waitlist = store.send(Request.cmd(Command.ZCARD).arg(Keys.waitlist(eventId)));
    return Future.all(meta, stats, waitlist).compose(all -> meta.result().size() == 0
      ? Commands.notFound("no such event")
      : Future.succeededFuture(Views.event(meta.result(), stats.result(), waitlist.result().toLong())));
  }

  private Future<JsonObject> hold(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    String userId = cmd.getString("userId");
    JsonArray seats = cmd.getJsonArray("seats", new JsonArray());
    int quantity = cmd.getInteger("quantity", 0);
    String fingerprint = quantity > 0 ? "quantity:" + quantity : "seats:" + String.join(",", seats.<String>getList());
    List<String> args = new ArrayList<>(List.of(Ids.random(), Ids.require(userId),
      cmd.getString("idempotencyKey", ""), fingerprint, String.valueOf(quantity), maxSeatsPerUser));
    seats.forEach(seat -> args.add(Ids.require((String) seat)));
    long sentAt = SoldOutEvents.now();
    CommandFailure refusal = soldOut.refusal(cmd, sentAt);
    if (refusal != null) {
      return Future.failedFuture(refusal);
    }
    long freedBefore = soldOut.freed();
    return store.reply(Script.HOLD, eventId, args).onFailure(err -> soldOut.drop(eventId)).compose(reply -> {
      soldOut.learn(eventId, reply, sentAt, freedBefore);
      return EventStore.outcome(reply);
    }).map(reply -> {
      if (reply.containsKey("index")) {
        store.index(eventId, reply.getLong("index"));
      }
      // a replay is the first answer again, as it was when it was given
      return Views.reservation(eventId, reply.getJsonObject("ok"));
    });
  }

  private Future<JsonObject> getReservation(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    String reservationId = cmd.getString("reservationId");
    // TIME of the node that holds the record: the clock the scripts expire holds by
    return store.batch(List.of(Request.cmd(Command.HGETALL).arg(Keys.reservation(eventId, reservationId)),
        Request.cmd(Command.TIME)))
      .compose(read -> {
        Response record = read.get(0);
        if (record.size() == 0) {
          return Commands.notFound("no such reservation");
        }
        String asker = cmd.getString("userId"); // with authentication: only its owner may read it
        if (asker != null && !asker.equals(record.get("user").toString())) {
          return Future.failedFuture(Failure.FORBIDDEN.exception(new JsonObject().put("type", "forbidden")
            .put("detail", "the reservation belongs to another user")));
        }
        return Future.succeededFuture(Views.reservation(eventId, reservationId, record, EventStore.millis(read.get(1))));
      });
  }

  /** A repeat answers the same and changes nothing. Confirms are ConfirmVerticle's. */
  private Future<JsonObject> cancel(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    List<String> args = List.of(Ids.require(cmd.getString("reservationId")), Ids.require(cmd.getString("userId")));
    return store.run(Script.CANCEL, eventId, args)
      .map(reply -> Views.reservation(eventId, reply.getJsonObject("ok")));
  }
}
