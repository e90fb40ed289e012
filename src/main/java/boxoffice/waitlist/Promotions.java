package boxoffice.waitlist;

import boxoffice.store.EventStore;
import boxoffice.store.Ids;
import boxoffice.store.Script;
import io.vertx.core.Future;

import java.util.List;

/**
 * Promotes waiters of an event, one atomic step at a time, while the first in line fits the free seats
 * (a step may also take out of the line those who want more seats than are left to sell).
 */
public final class Promotions {

  private static final int MAX_STEPS = 1000;

  private Promotions() {
  }

  /** How many users were promoted; {@code maxSeatsPerUser} the per-user cap (0: none). */
  public static Future<Integer> promote(EventStore store, String eventId, int maxSeatsPerUser) {
    return step(store, eventId, String.valueOf(maxSeatsPerUser), 0, 0);
  }

  private static Future<Integer> step(EventStore store, String eventId, String cap, int steps, int promoted) {
    if (steps >= MAX_STEPS) {
      return Future.succeededFuture(promoted);
    }
    return store.run(Script.PROMOTE, eventId, List.of(Ids.random(), cap)).compose(reply -> {
      boolean one = reply.getJsonObject("promoted") != null;
      if (!one && !reply.containsKey("dropped")) {
        return Future.succeededFuture(promoted);
      }
      return step(store, eventId, cap, steps + 1, one ? promoted + 1 : promoted);
    });
  }
}
