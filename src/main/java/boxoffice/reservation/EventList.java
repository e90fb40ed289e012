package boxoffice.reservation;

import boxoffice.bus.Failure;
import boxoffice.store.EventCursor;
import boxoffice.store.EventStore;
import boxoffice.store.Keys;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The events, newest first, from their index ({@link Keys#eventIndex}): event ids scored by when their
 * creation was asked. A creation writes its entry before its script runs, so an event that exists is
 * never missing from the list; an entry whose event does not exist (a creation refused or still under
 * way, an event deleted) is skipped when a page is read. Only creations write the index.
 */
final class EventList {

  /** The most events a page holds. */
  static final int MAX_LIMIT = 100;
  /** Index entries read per round trip beyond what a page still needs (skipped entries are rare). */
  private static final int SPARE = 8;
  /** Round trips a page may take over entries without events before it answers what it has. */
  private static final int MAX_ROUNDS = 4;

  private record Entry(String eventId, long score) {
    EventCursor cursor() {
      return new EventCursor(score, eventId);
    }
  }

  private final EventStore store;
  /** An event with its counts, as {@code GET /events/{id}} shows it; failed as not found when there is none. */
  private final Function<String, Future<JsonObject>> read;

  EventList(EventStore store, Function<String, Future<JsonObject>> read) {
    this.store = store;
    this.read = read;
  }

  /**
   * Puts a new event in the index before it is created. The score is when its creation was asked:
   * an event that exists already keeps its place (its creation will be refused), and an id created
   * again after a failed attempt or a deletion moves to the front (GT never moves an entry back).
   */
  Future<Void> index(String eventId) {
    return store.send(Request.cmd(Command.EXISTS).arg(Keys.event(eventId))).compose(exists -> exists.toInteger() == 1
      ? Future.succeededFuture()
      : store.send(Request.cmd(Command.ZADD).arg(Keys.eventIndex()).arg("GT")
        .arg(System.currentTimeMillis()).arg(eventId)).mapEmpty());
  }

  /** A deleted event leaves the list (the list would skip it anyway; this keeps the index small). */
  Future<Void> remove(String eventId) {
    return store.send(Request.cmd(Command.ZREM).arg(Keys.eventIndex()).arg(eventId)).mapEmpty();
  }

  /**
   * The command {@code {limit, cursor?}}: up to {@code limit} events after the cursor (from the newest
   * without one), {@code {events, next}}; next is null at the end of the list.
   */
  Future<JsonObject> page(JsonObject cmd) {
    Object limit = cmd.getValue("limit");
    if (!(limit instanceof Integer n) || n < 1 || n > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be an integer from 1 to " + MAX_LIMIT);
    }
    Object text = cmd.getValue("cursor");
    EventCursor cursor = text instanceof String s ? EventCursor.parse(s) : null;
    if (text != null && cursor == null) {
      throw new IllegalArgumentException("cursor must be the next of an earlier page");
    }
    return page(n, cursor, 0, new ArrayList<>(), 0);
  }

  /**
   * One round trip over the index, from the cursor's score down, {@code offset} entries in. Entries of
   * the cursor's own score up to its id are the previous pages' (equal scores come in descending id
   * order) and are passed over.
   */
  private Future<JsonObject> page(int limit, EventCursor cursor, int offset, List<JsonObject> found, int round) {
    int want = limit - found.size() + SPARE;
    Request range = Request.cmd(Command.ZRANGE).arg(Keys.eventIndex())
      .arg(cursor == null ? "+inf" : String.valueOf(cursor.score())).arg("-inf")
      .arg("BYSCORE").arg("REV").arg("LIMIT").arg(offset).arg(want).arg("WITHSCORES");
    return store.send(range).compose(reply -> {
      List<Entry> scanned = entries(reply);
      List<Entry> entries = scanned.stream()
        .filter(e -> cursor == null || cursor.before(e.score(), e.eventId())).toList();
      List<Future<JsonObject>> reads = entries.stream().map(e -> existing(e.eventId())).toList();
      return Future.all(reads).compose(all -> {
        Entry last = null;
        boolean more = scanned.size() == want; // the index may go on past what this round read
        for (int i = 0; i < entries.size(); i++) {
          if (found.size() == limit) {
            more = true;
            break;
          }
          last = entries.get(i);
          JsonObject event = all.resultAt(i);
          if (event != null) {
            found.add(event);
          }
        }
        if (found.size() == limit || !more || round + 1 == MAX_ROUNDS) {
          EventCursor next = !more ? null : last != null ? last.cursor() : cursor;
          return Future.succeededFuture(new JsonObject()
            .put("events", new JsonArray(new ArrayList<>(found)))
            .put("next", next == null ? null : next.toString()));
        }
        return page(limit, cursor, offset + scanned.size(), found, round + 1);
      });
    });
  }

  /** The event, or null when it does not exist. */
  private Future<JsonObject> existing(String eventId) {
    return read.apply(eventId).recover(err -> err instanceof ReplyException e && e.failureCode() == Failure.NOT_FOUND.code
      ? Future.succeededFuture()
      : Future.failedFuture(err));
  }

  /** ZRANGE ... WITHSCORES: pairs of [id, score] (RESP3), or ids and scores one after the other (RESP2). */
  private static List<Entry> entries(Response reply) {
    List<Entry> entries = new ArrayList<>();
    if (reply.size() > 0 && reply.get(0).type() == ResponseType.MULTI) {
      for (Response pair : reply) {
        entries.add(new Entry(pair.get(0).toString(), Math.round(pair.get(1).toDouble())));
      }
    } else {
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        entries.add(new Entry(reply.get(i).toString(), Math.round(reply.get(i + 1).toDouble())));
      }
    }
    return entries;
  }
}
