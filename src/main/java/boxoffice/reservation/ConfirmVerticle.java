package boxoffice.reservation;

import boxoffice.bus.Addresses;
import boxoffice.bus.Commands;
import boxoffice.redis.RedisCluster;
import boxoffice.store.EventStore;
import boxoffice.store.Ids;
import boxoffice.store.ReplicaAcks;
import boxoffice.store.Script;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Confirms sales: pending holds become sold seats. A sale is answered only once a replica has it, so
 * that losing the master loses no confirmed sale; the waiting for replicas happens on connections
 * of this verticle's own, one per master ({@link ReplicaAcks}), so that a slow replica delays
 * confirms on its master and nothing else. One instance per process: its rounds cover every confirm
 * of the process.
 */
public final class ConfirmVerticle extends VerticleBase {

  private final RedisCluster redis;
  private EventStore store;
  private ReplicaAcks acks;

  public ConfirmVerticle(RedisCluster redis) {
    this.redis = redis;
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).compose(opened -> {
      store = opened;
      acks = new ReplicaAcks(vertx, opened);
      return Commands.serve(vertx.eventBus(), List.of(Commands.of(Addresses.RESERVATION_CONFIRM, this::confirm)));
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  /** A repeat answers the same and changes nothing. */
  private Future<JsonObject> confirm(JsonObject cmd) {
    String eventId = cmd.getString("eventId");
    List<String> args = List.of(Ids.require(cmd.getString("reservationId")), Ids.require(cmd.getString("userId")));
    return acks.run(Script.CONFIRM, eventId, args)
      .map(reply -> Views.reservation(eventId, reply.getJsonObject("ok")));
  }
}
