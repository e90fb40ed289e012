package boxoffice.reservation;

import boxoffice.bus.Addresses;
import boxoffice.bus.CommandFailure;
import boxoffice.bus.Commands;
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
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Serves the event and reservation commands on the event bus. Every state change is one script of
 * {@code lua/}, which also emits the change's domain events.
 */
public final class ReservationVerticle extends VerticleBase {

  private final RedisCluster redis;
  private final int defaultHoldSeconds;
  private final SoldOutEvents soldOut;
  private EventStore store;
  private SeatMaps seatMaps;
  private EventList events;

  public ReservationVerticle(RedisCluster redis, int defaultHoldSeconds, long soldOutMs) {
    this.redis = redis;
    this.defaultHoldSeconds = defaultHoldSeconds;
    this.soldOut = new SoldOutEvents(soldOutMs);
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).compose(opened -> {
      store = opened;
      seatMaps = new SeatMaps(opened);
      events = new EventList(opened, eventId -> getEvent(new JsonObject().put("eventId", eventId)));
      // seats that come free, through any verticle of this process
      Future<Void> freed = Future.all(List.of(Addresses.RESERVATION_CANCELLED, Addresses.RESERVATION_EXPIRED).stream()
        .map(address -> vertx.eventBus().<JsonObject>consumer(address,
          event -> soldOut.forget(event.body().getString("eventId"))).completion())
        .toList()).mapEmpty();
      return freed.compose(v -> Commands.serve(vertx.eventBus(), List.of(
        Commands.of(Addresses.EVENT_CREATE, this::createEvent),
        Commands.of(Addresses.EVENT_GET, this::getEvent),
        Commands.of(Addresses.EVENT_LIST, cmd -> events.page(cmd)),
        Commands.of(Addresses.EVENT_SEATS, cmd -> seatMaps.get(cmd.getString("eventId"))),
        Commands.of(Addresses.RESERVATION_HOLD, this::hold),
        Commands.of(Addresses.RESERVATION_GET, this::getReservation),
        Commands.of(Addresses.RESERVATION_CONFIRM, cmd -> endHold(Script.CONFIRM, cmd)),
        Commands.of(Addresses.RESERVATION_CANCEL, cmd -> endHold(Script.CANCEL, cmd)))));
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
    if (seatIds == null) {
      args.addAll(List.of("grid", cmd.getInteger("rows").toString(), cmd.getInteger("seatsPerRow").toString()));
    } else {
      args.addAll(List.of("list", "0", "0"));
      seatIds.forEach(seat -> args.add(Ids.require((String) seat)));
    }
    // listed before it exists, so that no event is ever missing from the list
    return events.index(eventId)
      .compose(indexed -> store.run(Script.CREATE_EVENT, eventId, args))
      .compose(created -> getEvent(new JsonObject().put("eventId", eventId)));
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
      cmd.getString("idempotencyKey", ""), fingerprint, String.valueOf(quantity)));
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
      JsonObject created = reply.getJsonObject("ok");
      if (reply.getBoolean("index", false)) {
        store.index(eventId, created.getLong("expiresAt"));
      }
      boolean replayed = reply.getBoolean("replayed", false);
      // a replay is the first answer again, as it was when it was given
      return Views.reservation(eventId, created, replayed ? created.getLong("createdAt") : System.currentTimeMillis());
    });
  }

  private Future<JsonObject> getReservation(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    String reservationId = cmd.getString("reservationId");
    return store.send(Request.cmd(Command.HGETALL).arg(Keys.reservation(eventId, reservationId)))
      .compose(hash -> hash.size() == 0
        ? Commands.notFound("no such reservation")
        : Future.succeededFuture(Views.reservation(eventId, reservationId, hash, System.currentTimeMillis())));
  }

  /**
   * Confirm or cancel; a repeat answers the same and changes nothing. A sale is answered only once a
   * replica has it, so that losing the master loses no confirmed sale.
   */
  private Future<JsonObject> endHold(Script script, JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    List<String> args = List.of(Ids.require(cmd.getString("reservationId")), Ids.require(cmd.getString("userId")));
    long now = System.currentTimeMillis();
    return (script == Script.CONFIRM ? store.runReplicated(script, eventId, args) : store.run(script, eventId, args))
      .map(reply -> Views.reservation(eventId, reply.getJsonObject("ok"), now));
  }
}
