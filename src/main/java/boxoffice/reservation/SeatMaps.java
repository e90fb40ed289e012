package boxoffice.reservation;

import boxoffice.bus.Commands;
import boxoffice.bus.RenderedJson;
import boxoffice.store.EventStore;
import boxoffice.store.Keys;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seat maps, rendered once per change of the event. The event's version ({@link EventStore#lastChangeId})
 * is the version of its seat map: a read asks Redis for that id only, and renders the map again only
 * when it differs from the kept one's. A map is therefore never older than the read, and a popular
 * event's map costs one small Redis call.
 *
 * <p>A new render starts from the kept map and applies the change-log entries written since its
 * version (each names the seats it held, sold or freed), so a busy event costs a short XRANGE per
 * change, not an HGETALL of all its seats, which would stall its shard for milliseconds on a large
 * event. It reads the whole seat hash only without a kept map, or when the log no longer runs on
 * from the kept version (trimmed, or a failover lost the newest writes: the map must go back too).
 */
final class SeatMaps {

  /** The rendered maps this verticle keeps, in bytes (a 100,000-seat map is about 2 MB). */
  private static final long KEPT_BYTES = 32L * 1024 * 1024;
  /** The most change-log entries a render applies to a kept map; more read the whole seat hash. */
  private static final int MAX_ENTRIES_APPLIED = 1000;

  private record Rendered(String version, RenderedJson json) {
  }

  private record Render(String version, Future<Rendered> result) {
  }

  private final EventStore store;
  /** By event, the least recently read first. */
  private final LinkedHashMap<String, Rendered> rendered = new LinkedHashMap<>(16, 0.75f, true);
  private long renderedBytes;
  /** The render in flight for an event: reads that find the same version share it. */
  private final Map<String, Render> rendering = new HashMap<>();

  SeatMaps(EventStore store) {
    this.store = store;
  }

  Future<RenderedJson> get(String eventId) {
    return store.lastChangeId(eventId)
      .compose(version -> {
        if (version == null) {
          return Commands.notFound("no such event");
        }
        Rendered kept = rendered.get(eventId);
        if (kept != null && kept.version().equals(version)) {
          return Future.succeededFuture(kept.json());
        }
        Render inFlight = rendering.get(eventId);
        return (inFlight != null && inFlight.version().equals(version)
          ? inFlight.result()
          : render(eventId, version)).map(Rendered::json);
      });
  }

  /** The seats as they are now; read after {@code version}, so at least as new as it. */
  private Future<Rendered> render(String eventId, String version) {
    Rendered kept = rendered.get(eventId);
    Future<Rendered> render = (kept == null ? renderAll(eventId, version) : renderSince(eventId, version, kept))
      .onSuccess(fresh -> keep(eventId, fresh));
    Render inFlight = new Render(version, render);
    rendering.put(eventId, inFlight);
    render.onComplete(done -> rendering.remove(eventId, inFlight));
    return render;
  }

  private Future<Rendered> renderAll(String eventId, String version) {
    return store.send(Request.cmd(Command.HGETALL).arg(Keys.seats(eventId))).compose(seats -> seats.size() == 0
      ? Commands.notFound("no such event")
      : Future.succeededFuture(new Rendered(version, new RenderedJson(json(seats)))));
  }

  /** The kept map with the changes logged since its version, which the read starts with. */
  private Future<Rendered> renderSince(String eventId, String version, Rendered kept) {
    Request since = Request.cmd(Command.XRANGE).arg(Keys.changes(eventId)).arg(kept.version()).arg("+")
      .arg("COUNT").arg(MAX_ENTRIES_APPLIED + 1);
    return store.send(since).compose(entries -> {
      if (entries.size() == 0 || entries.size() > MAX_ENTRIES_APPLIED
        || !entries.get(0).get(0).toString().equals(kept.version())) {
        return renderAll(eventId, version);
      }
      Map<String, String> changed = new HashMap<>();
      for (int i = 1; i < entries.size(); i++) {
        Response fields = entries.get(i).get(1); // type, TYPE, data, JSON
        String state = switch (fields.get(1).toString()) {
          case "reservation.created" -> "held";
          case "reservation.confirmed" -> "sold";
          case "reservation.cancelled", "reservation.expired" -> "available";
          default -> null;
        };
        if (state != null) {
          new JsonObject(fields.get(3).toString()).getJsonArray("seats").forEach(seat -> changed.put((String) seat, state));
        }
      }
      String newest = entries.get(entries.size() - 1).get(0).toString();
      return Future.succeededFuture(new Rendered(newest, changed.isEmpty() ? kept.json()
        : new RenderedJson(patched(kept.json().bytes(), changed))));
    });
  }

  private void keep(String eventId, Rendered fresh) {
    Rendered replaced = rendered.put(eventId, fresh);
    renderedBytes += size(fresh) - (replaced == null ? 0 : size(replaced));
    Iterator<Rendered> oldestFirst = rendered.values().iterator();
    while (renderedBytes > KEPT_BYTES && oldestFirst.hasNext()) {
      renderedBytes -= size(oldestFirst.next());
      oldestFirst.remove();
    }
  }

  private static long size(Rendered map) {
    return map.json().bytes().length();
  }

  /** A map rendered by {@link #json} with the states of some seats replaced, in the same order. */
  private static Buffer patched(Buffer map, Map<String, String> changed) {
    String in = map.toString(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(in.length() + changed.size() * 5).append('{');
    int at = 1; // after '{'; then "id":"state" pairs, separated by ','
    while (at < in.length() - 1) {
      int idEnd = in.indexOf('"', at + 1);
      int stateEnd = in.indexOf('"', idEnd + 3);
      String seat = in.substring(at + 1, idEnd);
      if (at > 1) {
        out.append(',');
      }
      out.append('"').append(seat).append("\":\"")
        .append(changed.getOrDefault(seat, in.substring(idEnd + 3, stateEnd))).append('"');
      at = stateEnd + 2;
    }
    return Buffer.buffer(out.append('}').toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code {"A1":"available","A2":"held","A3":"sold"}}, in the hash's order. Seat ids match
   * {@code [A-Za-z0-9_-]}, so they need no escaping.
   */
  private static Buffer json(Response seats) {
    StringBuilder out = new StringBuilder(seats.size() * 20);
    out.append('{');
    for (String seat : seats.getKeys()) {
      if (out.length() > 1) {
        out.append(',');
      }
      String state = seats.get(seat).toString();
      out.append('"').append(seat).append("\":\"")
        .append(state.startsWith("pending:") ? "held" : state.startsWith("sold:") ? "sold" : "available").append('"');
    }
    return Buffer.buffer(out.append('}').toString().getBytes(StandardCharsets.UTF_8));
  }
}
