package boxoffice.feed;

import boxoffice.bus.Addresses;
import boxoffice.bus.Commands;
import boxoffice.redis.RedisCluster;
import boxoffice.store.Changes;
import boxoffice.store.EventStore;
import boxoffice.store.Keys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the change logs ({@code {event:ID}:changes} streams) of the events someone in this process
 * is watching: one reader per event however many subscribers it has, publishing each entry locally on
 * {@link Addresses#feed(String)} for the HTTP verticles to stream. Entries written by any process of
 * the service show up, since the reader follows the stream itself.
 *
 * <p>Readers poll with non-blocking XREAD (a blocking read would stall the pipelined connection for
 * every other event), every {@code pollMs}, and at once when this process changed the event
 * ({@link Addresses#CHANGED}, signalled only for the events in {@link Addresses#WATCHED_EVENTS}, so the
 * changes of the others cost this verticle nothing).
 */
public final class ChangeFeedVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedVerticle.class);
  private static final int ENTRIES_PER_READ = 500;

  /** One watched event: where its stream was read up to, and who wants it. */
  private static final class Reader {
    final String eventId;
    final Set<String> subscriptions = new HashSet<>();
    String lastId;
    boolean reading;
    boolean again;
    long timer = -1;

    Reader(String eventId, String lastId) {
      this.eventId = eventId;
      this.lastId = lastId;
    }
  }

  /** What names a buyer in a change: with authentication, the public feed leaves it out. */
  private static final List<String> BUYERS = List.of("userId", "reservationId");

  private final RedisCluster redis;
  private final long pollMs;
  private final boolean anonymous;
  private final Map<String, Reader> readers = new HashMap<>();
  /**
   * Opens in flight by subscription, true once their close came first: a subscriber that gave up
   * waiting for its open (a bus timeout) closes it, and the open then ends without counting it.
   */
  private final Map<String, Boolean> opening = new HashMap<>();
  private LocalMap<String, Boolean> watched;
  private EventStore store;

  /** {@code anonymous}: the changes streamed name no buyer (no user or reservation ids). */
  public ChangeFeedVerticle(RedisCluster redis, long pollMs, boolean anonymous) {
    this.redis = redis;
    this.pollMs = pollMs;
    this.anonymous = anonymous;
  }

  @Override
  public Future<?> start() {
    return EventStore.open(vertx, redis).compose(opened -> {
      store = opened;
      watched = vertx.sharedData().getLocalMap(Addresses.WATCHED_EVENTS);
      vertx.eventBus().<String>localConsumer(Addresses.CHANGED, changed -> {
        Reader reader = readers.get(changed.body());
        if (reader != null) {
          read(reader);
        }
      });
      vertx.eventBus().<JsonObject>localConsumer(Addresses.FEED_CLOSE, msg -> close(msg.body()));
      return Commands.serveLocally(vertx.eventBus(), List.of(
        Commands.of(Addresses.FEED_OPEN, this::open),
        Commands.of(Addresses.FEED_STATS, cmd -> Future.succeededFuture(stats()))));
    });
  }

  @Override
  public Future<?> stop() {
    readers.values().forEach(reader -> vertx.cancelTimer(reader.timer));
    readers.keySet().forEach(watched::remove);
    return store == null ? Future.succeededFuture() : store.close();
  }

  /**
   * One subscriber more. Replies {@code {backlog: [entries after "after"], upTo: id}}: entries up to
   * {@code upTo} are in the backlog (when "after" was given), later ones come live on the feed address.
   * When "after" is older than the oldest entry the log still keeps, the entries after it may be gone:
   * the reply is then {@code {backlog: [], upTo: id, reset: true}}, and the subscriber starts afresh.
   */
  private Future<JsonObject> open(JsonObject cmd) {
    String subscription = cmd.getString("subscription");
    String eventId = cmd.getString("eventId");
    opening.put(subscription, false);
    return subscribe(eventId, subscription, cmd.getString("after")).andThen(done -> {
      if (Boolean.TRUE.equals(opening.remove(subscription)) && done.succeeded()) {
        unsubscribe(eventId, subscription); // nobody waits for this reply any more
      }
    });
  }

  private Future<JsonObject> subscribe(String eventId, String subscription, String after) {
    return store.send(Request.cmd(Command.EXISTS).arg(Keys.event(eventId))).compose(exists -> {
      if (exists.toInteger() == 0) {
        return Commands.notFound("no such event");
      }
      Reader existing = readers.get(eventId);
      Future<Reader> reader = existing != null ? Future.succeededFuture(existing) : startReader(eventId);
      return reader.compose(r -> {
        r.subscriptions.add(subscription);
        return backlog(eventId, after, r.lastId)
          .onFailure(err -> unsubscribe(eventId, subscription)); // the subscriber gets a failure, not a feed
      });
    });
  }

  /**
   * The entries after "after" (none without it), read before the oldest kept entry: trimming only
   * moves the oldest forward, so entries trimmed before the range read show up in the second read. The
   * log was never trimmed while its oldest entry is the event's creation, which every log starts with.
   */
  private Future<JsonObject> backlog(String eventId, String after, String upTo) {
    if (after == null || StreamIds.compare(after, upTo) >= 0) {
      return Future.succeededFuture(new JsonObject().put("backlog", new JsonArray()).put("upTo", upTo));
    }
    Request range = Request.cmd(Command.XRANGE).arg(Keys.changes(eventId)).arg("(" + after).arg(upTo);
    Request oldest = Request.cmd(Command.XRANGE).arg(Keys.changes(eventId)).arg("-").arg("+").arg("COUNT").arg(1);
    return store.send(range).compose(entries -> store.send(oldest).map(first -> {
      JsonObject opened = new JsonObject().put("upTo", upTo);
      JsonObject firstKept = first.size() == 0 ? null : entries(eventId, first).getJsonObject(0);
      if (firstKept != null && !"event.created".equals(firstKept.getString("type"))
        && StreamIds.compare(after, firstKept.getString("id")) < 0) {
        return opened.put("backlog", new JsonArray()).put("reset", true);
      }
      return opened.put("backlog", entries(eventId, entries));
    }));
  }

  private Future<Reader> startReader(String eventId) {
    return store.lastChangeId(eventId)
      .map(last -> {
        Reader raced = readers.get(eventId);
        if (raced != null) {
          return raced;
        }
        Reader reader = new Reader(eventId, last == null ? "0-0" : last);
        readers.put(eventId, reader);
        watched.put(eventId, true);
        schedule(reader);
        return reader;
      });
  }

  /** {eventId, subscription}: the close of an open still in flight ends that open; unknown ones do nothing. */
  private void close(JsonObject cmd) {
    String subscription = cmd.getString("subscription");
    if (opening.containsKey(subscription)) {
      opening.put(subscription, true);
      return;
    }
    unsubscribe(cmd.getString("eventId"), subscription);
  }

  private void unsubscribe(String eventId, String subscription) {
    Reader reader = readers.get(eventId);
    if (reader != null && reader.subscriptions.remove(subscription) && reader.subscriptions.isEmpty()) {
      readers.remove(eventId);
      watched.remove(eventId);
      vertx.cancelTimer(reader.timer);
    }
  }

  private void schedule(Reader reader) {
    reader.timer = vertx.setTimer(pollMs, id -> read(reader));
  }

  /** Reads what is new, publishes it, and reads on while there is more; one read at a time per event. */
  private void read(Reader reader) {
    if (reader.reading) {
      reader.again = true;
      return;
    }
    reader.reading = true;
    vertx.cancelTimer(reader.timer);
    Request xread = Request.cmd(Command.XREAD).arg("COUNT").arg(ENTRIES_PER_READ)
      .arg("STREAMS").arg(Keys.changes(reader.eventId)).arg(reader.lastId);
    store.send(xread)
      .onSuccess(response -> {
        String key = Keys.changes(reader.eventId);
        JsonArray entries = response == null ? new JsonArray()
          : entries(reader.eventId, response.isMap() ? response.get(key) : response.get(0).get(1));
        for (int i = 0; i < entries.size(); i++) {
          JsonObject entry = entries.getJsonObject(i);
          reader.lastId = entry.getString("id");
          vertx.eventBus().publish(Addresses.feed(reader.eventId), entry, Addresses.LOCAL);
        }
        reader.again |= entries.size() == ENTRIES_PER_READ;
      })
      .onFailure(err -> LOG.debug("Reading the changes of event {} failed: {}", reader.eventId, err.getMessage()))
      .onComplete(done -> {
        reader.reading = false;
        if (readers.get(reader.eventId) != reader) {
          return; // closed meanwhile
        }
        if (reader.again) {
          reader.again = false;
          read(reader);
        } else {
          schedule(reader);
        }
      });
  }

  /** Stream entries as {id, type, data}. */
  /** Stream entries of the event as {id, type, data}: data the domain event's JSON text (see Changes). */
  private JsonArray entries(String eventId, Response entries) {
    JsonArray out = new JsonArray();
    if (entries != null) {
      for (Response entry : entries) {
        List<String> fields = new ArrayList<>();
        entry.get(1).forEach(field -> fields.add(field.toString()));
        JsonObject event = Changes.event(eventId, fields);
        if (anonymous) {
          BUYERS.forEach(event::remove);
        }
        out.add(new JsonObject().put("id", entry.get(0).toString()).put("type", event.getString("type"))
          .put("data", event.encode()));
      }
    }
    return out;
  }

  private JsonObject stats() {
    JsonObject events = new JsonObject();
    readers.forEach((eventId, reader) -> events.put(eventId, reader.subscriptions.size()));
    return new JsonObject().put("events", events);
  }
}
