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
 *
 * <p>The rendered maps are kept per process ({@link Kept}, shared by the verticle instances, so its
 * bound does not grow with the cores); the renders in flight are per instance.
 */
final class SeatMaps {

  record Rendered(String version, RenderedJson json) {
  }

  private record Render(String version, Future<Rendered> result) {
  }

  /**
   * The rendered maps of a process, at most {@code bytes} of them (a 100,000-seat map is about 2 MB),
   * the least recently read dropped first. Shared by the event loops: a map, once rendered, is never
   * written to.
   */
  static final class Kept {

    private final long bytes;
    private final LinkedHashMap<String, Rendered> byEvent = new LinkedHashMap<>(16, 0.75f, true);
    private long used;

    Kept(long bytes) {
      this.bytes = bytes;
    }

    synchronized Rendered get(String eventId) {
      return byEvent.get(eventId);
    }

    synchronized void put(String eventId, Rendered fresh) {
      Rendered replaced = byEvent.put(eventId, fresh);
      used += size(fresh) - (replaced == null ? 0 : size(replaced));
      Iterator<Rendered> oldestFirst = byEvent.values().iterator();
      while (used > bytes && oldestFirst.hasNext()) {
        used -= size(oldestFirst.next());
        oldestFirst.remove();
      }
    }

    synchronized long used() {
      return used;
    }

    private static long size(Rendered map) {
      return map.json().bytes().length();
    }
  }

  private final EventStore store;
  private final Kept rendered;
  /** The render in flight for an event: reads that find the same version share it. */
  private final Map<String, Render> rendering = new HashMap<>();

  SeatMaps(EventStore store, Kept rendered) {
    this.store = store;
    this.rendered = rendered;
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
      rendered.put(eventId, fresh);
      return Future.succeededFuture(fresh);
    });
    Render inFlight = new Render(version, render);
    rendering.put(eventId, inFlight);
    render.onComplete(done -> rendering.remove(eventId, inFlight));
    return render;
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
