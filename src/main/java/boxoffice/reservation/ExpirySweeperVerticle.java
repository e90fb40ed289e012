package boxoffice.reservation;

import boxoffice.redis.Masters;
import boxoffice.redis.RedisCluster;
import boxoffice.store.EventStore;
import boxoffice.store.Ids;
import boxoffice.store.Keys;
import boxoffice.store.Script;
import boxoffice.waitlist.Promotions;
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
 * before a restart (all its state is in Redis), and promotes waiters whose release event was lost.
 *
 * <p>It finds the events through a small index sharded over {@link EventStore#SWEEP_SHARDS} keys:
 * event id scored by when to look at it next (its next expiry; soon again while it has waiters), so
 * it neither scans the keyspace nor hammers one global key. A script that finds an event with no
 * pending hold and no waiter says so, and the caller adds the event after the script ran. For a due
 * event the sweeper runs the expire script, then either moves the event's score, or removes it and
 * runs the script once more, putting it back if a hold or waiter slipped in meanwhile: one that
 * landed before that second run is seen by it, and one that landed after it found the event empty
 * and so adds it itself. Several sweepers (one per process) may pass over the same event: releasing
 * is idempotent, and only the pass that released a hold publishes its expiry.
 *
 * <p>The index is written after the script that needs it, from the process: a crash between the two,
 * or a write lost with its shard's master, would leave an event with pending holds or waiters out
 * of it for good. So every {@code sweeper.reconcileMs} one process (whoever takes the lease) scans
 * every master's keys for the events' expiry indexes and waitlists ({@code SCAN ... TYPE zset}, a
 * page at a time) and puts each such event that the index lacks back into it, due at once: an event
 * is swept again at most one reconciliation interval plus one pass over the keyspace after its entry
 * was lost, and a line whose head fits the free seats is promoted then without any release event.
 */
public final class ExpirySweeperVerticle extends VerticleBase {

  private static final int EVENTS_PER_SHARD_PASS = 100;
  private static final int HOLDS_PER_CALL = 256;
  private static final int KEYS_PER_SCAN = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(ExpirySweeperVerticle.class);

  private final RedisCluster redis;
  private final long intervalMs;
  private final long reconcileMs;
  private final int maxSeatsPerUser;
  private final String leaseHolder = Ids.random();
  private EventStore store;
  private Masters masters;
  private long timer = -1;
  private long reconcileTimer = -1;
  private boolean stopped;

  public ExpirySweeperVerticle(RedisCluster redis, long intervalMs, long reconcileMs, int maxSeatsPerUser) {
    this.redis = redis;
    this.maxSeatsPerUser = maxSeatsPerUser;
    this.intervalMs = intervalMs;
    this.reconcileMs = reconcileMs;
  }

  /** How soon an event with waiters is looked at again, and so how soon a lost release is caught up. */
  private static long recheckMs(long intervalMs) {
    return Math.max(intervalMs, 1000);
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).onSuccess(opened -> {
      store = opened;
      masters = opened.masters();
      schedule();
      scheduleReconcile();
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(reconcileTimer);
    return store == null ? Future.succeededFuture() : store.close();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(intervalMs, id -> sweep().onComplete(done -> schedule()));
    }
  }

  private void scheduleReconcile() {
    if (!stopped) {
      reconcileTimer = vertx.setTimer(reconcileMs, id -> reconcile()
        .onFailure(err -> LOG.debug("Reconciliation pass failed, the next one retries: {}", err.getMessage()))
        .onComplete(done -> scheduleReconcile()));
    }
  }

  /** A pass over every master's keys, by the process that holds the lease for this interval. */
  private Future<Void> reconcile() {
    Request lease = Request.cmd(Command.SET).arg(Keys.reconcileLease()).arg(leaseHolder)
      .arg("NX").arg("PX").arg(reconcileMs);
    return store.send(lease).compose(taken -> taken == null
      ? Future.succeededFuture()
      : masters.refresh().compose(read -> Future.join(masters.all().stream()
          .map(master -> reconcile(master, "0", 0)).toList()))
        .map(passes -> {
          int restored = passes.<Integer>list().stream().mapToInt(Integer::intValue).sum();
          if (restored > 0) {
            LOG.warn("Put {} events with pending holds or waiters back in the sweeper's index", restored);
          }
          return null;
        }));
  }

  /** One page of a master's keys after {@code cursor}, then the next; how many events it put back. */
  private Future<Integer> reconcile(String master, String cursor, int restored) {
    Request scan = Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg("{event:*").arg("TYPE").arg("zset")
      .arg("COUNT").arg(KEYS_PER_SCAN);
    return masters.client(master).send(scan).compose(page -> {
      List<Future<Response>> adds = new ArrayList<>();
      for (Response key : page.get(1)) {
        String name = key.toString();
        String eventId = Keys.eventOf(name);
        if (eventId != null && Ids.valid(eventId) && (name.endsWith("}:expiry") || name.endsWith("}:waitlist"))) {
          String shard = Keys.sweepShard(Keys.sweepShardOf(eventId, EventStore.SWEEP_SHARDS));
          adds.add(store.send(Request.cmd(Command.ZADD).arg(shard).arg("NX").arg(0).arg(eventId)));
        }
      }
      String next = page.get(0).toString();
      return Future.all(adds).compose(added -> {
        int now = restored + adds.stream().mapToInt(add -> add.result().toInteger()).sum();
        return "0".equals(next) || stopped ? Future.succeededFuture(now) : reconcile(master, next, now);
      });
    });
  }

  /** One pass over every shard; a failing shard does not hold up the others. */
  private Future<Void> sweep() {
    List<Future<Void>> shards = new ArrayList<>(EventStore.SWEEP_SHARDS);
    for (int shard = 0; shard < EventStore.SWEEP_SHARDS; shard++) {
      shards.add(sweepShard(Keys.sweepShard(shard))
        .onFailure(err -> LOG.debug("Sweep of a shard failed, next pass retries: {}", err.getMessage())));
    }
    return Future.join(shards).mapEmpty();
  }

  /** The shard's due events, by the clock of the shard's node (Redis' time, as the scripts keep it). */
  private Future<Void> sweepShard(String shard) {
    List<Request> clock = List.of(Request.cmd(Command.EXISTS).arg(shard), Request.cmd(Command.TIME));
    return store.batch(clock).compose(read -> store.send(Request.cmd(Command.ZRANGE).arg(shard).arg("-inf")
        .arg(EventStore.millis(read.get(1))).arg("BYSCORE").arg("LIMIT").arg(0).arg(EVENTS_PER_SHARD_PASS)))
      .compose(events -> {
        List<Future<Void>> passes = new ArrayList<>(events.size());
        for (Response event : events) {
          passes.add(sweepEvent(shard, event.toString()));
        }
        return Future.join(passes).mapEmpty();
      });
  }

  private Future<Void> sweepEvent(String shard, String eventId) {
    return settle(eventId).compose(next -> next != null
      ? store.send(Request.cmd(Command.ZADD).arg(shard).arg(next).arg(eventId)).mapEmpty()
      : store.send(Request.cmd(Command.ZREM).arg(shard).arg(eventId))
        .compose(removed -> settle(eventId))
        .compose(slipped -> slipped == null
          ? Future.succeededFuture()
          : store.send(Request.cmd(Command.ZADD).arg(shard).arg("LT").arg(slipped).arg(eventId)).mapEmpty()));
  }

  /**
   * Releases the event's due holds and promotes the waiters that fit; when to look at the event
   * again, or null when it has neither pending holds nor waiters.
   */
  private Future<Long> settle(String eventId) {
    List<String> args = List.of(String.valueOf(HOLDS_PER_CALL), String.valueOf(recheckMs(intervalMs)));
    return store.run(Script.EXPIRE, eventId, args).compose(reply -> {
      Long next = reply.getLong("next");
      boolean promotable = reply.getInteger("waiting", 0) > 0 && reply.getInteger("available", 0) > 0;
      return promotable ? Promotions.promote(store, eventId, maxSeatsPerUser).map(promoted -> next) : Future.succeededFuture(next);
    });
  }
}
