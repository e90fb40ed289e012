package boxoffice.reservation;

import boxoffice.bus.Commands;
import boxoffice.bus.RenderedJson;
import boxoffice.store.EventStore;
import boxoffice.store.Keys;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
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
 * is the version of its seat map: a read asks Redis for that id only, and renders the map again
 * (HGETALL) only when it differs from the kept one's. A map is therefore never older than the read,
 * and a popular event's map costs one small Redis call.
 * Versions are compared for equality, not order: after a failover that lost the newest writes, the
 * log's last id goes back, and the map must go back with it.
 */
final class SeatMaps {

  /** The rendered maps this verticle keeps, in bytes (a 100,000-seat map is about 2 MB). */
  private static final long KEPT_BYTES = 32L * 1024 * 1024;

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
    Future<Rendered> render = store.send(Request.cmd(Command.HGETALL).arg(Keys.seats(eventId))).compose(seats -> {
      if (seats.size() == 0) {
        return Commands.notFound("no such event");
      }
      Rendered fresh = new Rendered(version, new RenderedJson(json(seats)));
      keep(eventId, fresh);
      return Future.succeededFuture(fresh);
    });
    Render inFlight = new Render(version, render);
    rendering.put(eventId, inFlight);
    render.onComplete(done -> rendering.remove(eventId, inFlight));
    return render;
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
