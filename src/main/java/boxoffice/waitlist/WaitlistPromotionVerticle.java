package boxoffice.waitlist;

import boxoffice.bus.Addresses;
import boxoffice.redis.RedisCluster;
import boxoffice.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Promotes waiters as soon as seats come back or the line moves: on every cancelled or expired
 * reservation, and every waiter who left, it runs promotion steps for the event until the first in
 * line no longer fits. Until then nobody else can hold the seats the first in line fits (hold.lua).
 * It reacts to the releases of its own process only (in a cluster, the process that released the
 * seats promotes), but several may react to the same event (a release here, a sweeper's pass there):
 * each step is one atomic script, so nobody gets seats twice and nobody is skipped. A lost release
 * (the process died right after it) is caught up by the sweeper's pass.
 */
public final class WaitlistPromotionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WaitlistPromotionVerticle.class);

  private final RedisCluster redis;
  private final int maxSeatsPerUser;
  private EventStore store;
  private final Set<String> running = new HashSet<>();
  private final Set<String> again = new HashSet<>();

  public WaitlistPromotionVerticle(RedisCluster redis, int maxSeatsPerUser) {
    this.redis = redis;
    this.maxSeatsPerUser = maxSeatsPerUser;
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).compose(opened -> {
      store = opened;
      return Future.all(List.of(Addresses.RESERVATION_CANCELLED, Addresses.RESERVATION_EXPIRED,
          Addresses.WAITLIST_LEFT).stream()
        .map(address -> vertx.eventBus().<JsonObject>localConsumer(address,
          msg -> promote(msg.body().getString("eventId"))).completion())
        .toList());
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  /** One promotion run per event at a time in this instance; releases during a run make it go again. */
  private void promote(String eventId) {
    if (!running.add(eventId)) {
      again.add(eventId);
      return;
    }
    Promotions.promote(store, eventId, maxSeatsPerUser)
      .onFailure(err -> LOG.warn("Promotion for event {} failed; the sweeper retries: {}", eventId, err.getMessage()))
      .onComplete(done -> {
        running.remove(eventId);
        if (again.remove(eventId)) {
          promote(eventId);
        }
      });
  }
}
