package boxoffice.reservation;

import boxoffice.bus.Commands;
import boxoffice.bus.RenderedJson;
import boxoffice.feed.StreamIds;
import boxoffice.store.EventStore;
import boxoffice.store.Keys;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seat maps, rendered once per change of the event. Every script that changes an event appends to its
 * change log in the same step, so the log's last entry id is the version of the seat map: a read asks
 * Redis for that id only, and renders the map again (HGETALL) only when it moved. A map is therefore
 * never older than the read, and a popular event's map costs one small Redis call to serve.
 */
final class SeatMaps {

  /** Events whose rendered map this verticle keeps (the least recently read ones go first). */
  private static final int KEPT = 64;

  private record Rendered(String version, RenderedJson json) {
  }

  private record Render(String version, Future<Rendered> result) {
  }

  private final EventStore store;
  private final Map<String, Rendered> rendered = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Rendered> eldest) {
      return size() > KEPT;
    }
  };
  /** The render in flight for an event: reads that find the same version share it. */
  private final Map<String, Render> rendering = new HashMap<>();

  SeatMaps(EventStore store) {
    this.store = store;
  }

  Future<RenderedJson> get(String eventId) {
    return store.send(Request.cmd(Command.XREVRANGE).arg(Keys.changes(eventId)).arg("+").arg("-").arg("COUNT").arg(1))
      .compose(last -> {
        if (last.size() == 0) {
          return Commands.notFound("no such event");
        }
        String version = last.get(0).get(0).toString();
        Rendered kept = rendered.get(eventId);
        if (kept != null && StreamIds.compare(kept.version(), version) >= 0) {
          return Future.succeededFuture(kept.json());
        }
        Render inFlight = rendering.get(eventId);
        return (inFlight != null && StreamIds.compare(inFlight.version(), version) >= 0
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
      Rendered kept = rendered.get(eventId);
      if (kept == null || StreamIds.compare(kept.version(), version) < 0) {
        rendered.put(eventId, fresh);
      }
      return Future.succeededFuture(fresh);
    });
    Render inFlight = new Render(version, render);
    rendering.put(eventId, inFlight);
    render.onComplete(done -> rendering.remove(eventId, inFlight));
    return render;
  }

  /**
   * {@code {"A1":"available","A2":"held","A3":"sold"}}, in the hash's order. Seat ids match
   * {@code [A-Za-z0-9_-]}, so they need no escaping. Kept off the heap: the map goes to every socket
   * that reads it without a copy per response.
   */
  private static BufferInternal json(Response seats) {
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
    byte[] bytes = out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    return BufferInternal.buffer(Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip()));
  }
}
