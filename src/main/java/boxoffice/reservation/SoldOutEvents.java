package boxoffice.reservation;

import boxoffice.bus.CommandFailure;
import boxoffice.bus.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The events that Redis last reported without a free seat (every seat held or sold), so that in a
 * flash sale the holds that come after the last seat went are refused here, not by a script call
 * each. A report is trusted for {@code hold.soldOutMs} from when its call was sent, and never past
 * the first expiry of the event's pending holds (from then on Redis would release that hold; counted
 * from Redis' own time in the report, so that the clocks of the service and Redis need not agree).
 * A cancel or an expiry published on this process's event bus ends it at once, also for the reports
 * of calls that were in flight meanwhile; a cancel made through another process is seen at most
 * {@code soldOutMs} later. In the last quarter of a window one hold (of each verticle instance) goes
 * to Redis, and its reply starts the next window. Times are of a monotonic clock ({@link #now()}).
 *
 * <p>Only the answer the hold script would give is given here: 409 for a request without an
 * Idempotency-Key (a keyed request's answer must be kept in Redis for its retries) that asks for a
 * quantity, or names distinct seats that the event has (checked against the grid; a listed event's
 * named seats still go to Redis).
 */
final class SoldOutEvents {

  /** Entries at most, beyond which the ones past their time are dropped. */
  private static final int TIDY_ABOVE = 10_000;

  private static final class SoldOut {
    final long until;
    /** From then on (the last quarter of the window) one hold is let through to renew the report. */
    final long renewFrom;
    final int rows;
    final int seatsPerRow;
    boolean renewing;

    SoldOut(long sentAt, long until, int rows, int seatsPerRow) {
      this.until = until;
      this.renewFrom = until - (until - sentAt) / 4;
      this.rows = rows;
      this.seatsPerRow = seatsPerRow;
    }
  }

  private final long trustMs;
  private final Map<String, SoldOut> events = new HashMap<>();
  /** How many times seats came free: a report from a call sent before the last time is not trusted. */
  private long freed;

  SoldOutEvents(long trustMs) {
    this.trustMs = trustMs;
  }

  /** Milliseconds of a monotonic clock, for {@code sentAt} and {@code now}. */
  static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** The current count of seats coming free, to give back to {@link #learn} with the call's reply. */
  long freed() {
    return freed;
  }

  /**
   * Takes in a hold script's reply to a call sent at {@code sentAt}, when {@code freedBefore} was
   * {@link #freed()}: its "full", or the lack of one.
   */
  void learn(String eventId, JsonObject reply, long sentAt, long freedBefore) {
    JsonObject full = reply.getJsonObject("full");
    if (full == null || trustMs == 0 || freed != freedBefore) {
      events.remove(eventId);
      return;
    }
    Long nextExpiry = full.getLong("nextExpiry");
    long until = sentAt + (nextExpiry == null ? trustMs : Math.min(trustMs, nextExpiry - full.getLong("now")));
    if (events.size() >= TIDY_ABOVE) {
      events.values().removeIf(soldOut -> soldOut.until <= sentAt);
    }
    events.put(eventId, new SoldOut(sentAt, until, full.getInteger("rows", 0), full.getInteger("seatsPerRow", 0)));
  }

  /** A hold's call on the event failed (a timeout, a failover): its report, if any, is not renewed. */
  void drop(String eventId) {
    events.remove(eventId);
  }

  /** Seats of the event came free (a cancel, an expiry). */
  void forget(String eventId) {
    freed++;
    events.remove(eventId);
  }

  /**
   * The refusal the hold script would answer {@code hold} with now, or null when it must be asked.
   * In the last quarter of a report's window one hold is let through, whose reply renews the report:
   * the window does not end for every hold in flight at once, which would all go to Redis.
   */
  CommandFailure refusal(JsonObject hold, long now) {
    String eventId = hold.getString("eventId");
    SoldOut soldOut = events.get(eventId);
    if (soldOut == null || hold.containsKey("idempotencyKey")) {
      return null;
    }
    if (soldOut.until <= now) {
      events.remove(eventId);
      return null;
    }
    CommandFailure refusal = refusal(hold.getJsonArray("seats"), soldOut);
    if (refusal != null && !soldOut.renewing && now >= soldOut.renewFrom) {
      soldOut.renewing = true;
      return null;
    }
    return refusal;
  }

  private static CommandFailure refusal(JsonArray seats, SoldOut soldOut) {
    if (seats == null) {
      return Failure.CONFLICT.exception(new JsonObject().put("type", "insufficient")
        .put("detail", "not enough free seats").put("available", 0));
    }
    Set<Object> distinct = new HashSet<>(seats.getList());
    if (distinct.size() < seats.size() || !seats.stream().allMatch(seat -> inGrid((String) seat, soldOut))) {
      return null;
    }
    return Failure.CONFLICT.exception(new JsonObject().put("type", "unavailable")
      .put("detail", "some seats are taken").put("unavailable", seats.copy()));
  }

  /** Whether a grid event has the seat: row letters A..Z, AA, ... (as lua/lib.lua labels them), then 1..seatsPerRow. */
  private static boolean inGrid(String seat, SoldOut grid) {
    int letters = 0;
    long row = 0;
    while (letters < seat.length() && letters < 5 && seat.charAt(letters) >= 'A' && seat.charAt(letters) <= 'Z') {
      row = row * 26 + (seat.charAt(letters) - 'A' + 1);
      letters++;
    }
    int digits = seat.length() - letters;
    if (letters == 0 || digits == 0 || digits > 6 || seat.charAt(letters) == '0') {
      return false;
    }
    int number = 0;
    for (int i = letters; i < seat.length(); i++) {
      char c = seat.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      number = number * 10 + (c - '0');
    }
    return row <= grid.rows && number <= grid.seatsPerRow;
  }
}
