package boxoffice.waitlist;

import boxoffice.store.EventStore;
import boxoffice.store.Ids;
import boxoffice.store.Script;
import io.vertx.core.Future;

import java.util.List;

/** Promotes waiters of an event, one atomic step at a time, while the first in line fits the free seats. */
public final class Promotions {

  private static final int MAX_STEPS = 1000;

  private Promotions() {
  }

  /** How many users were promoted. */
  public static Future<Integer> promote(EventStore store, String eventId) {
    return step(store, eventId, 0);
  }

  private static Future<Integer> step(EventStore store, String eventId, int done) {
    if (done >= MAX_STEPS) {
      return Future.succeededFuture(done);
    }
    return store.run(Script.PROMOTE, eventId, List.of(Ids.random())).compose(reply -> {
      if (reply.getJsonObject("promoted") == null) {
        return Future.succeededFuture(done);
      }
      return step(store, eventId, done + 1);
    });
  }
}
