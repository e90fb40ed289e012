package boxoffice.http;

import boxoffice.bus.Addresses;
import boxoffice.feed.StreamIds;
import boxoffice.store.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * One client's live feed of an event's changes as server-sent events: {@code id} the change-log entry
 * id, {@code event} its type, {@code data} its JSON. A client that reconnects with Last-Event-ID gets
 * exactly the entries after it: it listens to the live entries first, then takes the backlog up to
 * where the live entries start, and drops whatever it already sent. When the log no longer keeps
 * the entries after that id, the client gets a {@code reset} event instead, and the entries from then on.
 */
final class ChangeStream {

  private static final String RESET = new JsonObject().put("detail", "the changes after Last-Event-ID are no "
    + "longer kept; read the event again, the changes from here on follow").encode();

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final String eventId;
  private final String subscription = Ids.random();
  private final List<JsonObject> early = new ArrayList<>();
  private MessageConsumer<JsonObject> live;
  private String lastSent;
  private boolean streaming;
  private boolean closed;
  private long heartbeat = -1;
  private final Runnable onEnd;

  private ChangeStream(RoutingContext ctx, String eventId, String after, Runnable onEnd) {
    this.vertx = ctx.vertx();
    this.response = ctx.response();
    this.eventId = eventId;
    this.lastSent = after;
    this.onEnd = onEnd;
  }

  /** The request's Last-Event-ID, or null; 400 when it is no change id. */
  static String lastEventId(RoutingContext ctx) {
    String after = ctx.request().getHeader("Last-Event-ID");
    if (after != null && !StreamIds.valid(after)) {
      throw Problem.badRequest("Last-Event-ID must be a change id such as 1764262800000-0");
    }
    return after;
  }

  /** Streams the changes after {@code after} (null: from now); {@code onEnd} runs once the stream ends. */
  static void open(RoutingContext ctx, String eventId, String after, long heartbeatMs, DeliveryOptions delivery,
                   Runnable onEnd) {
    ChangeStream stream = new ChangeStream(ctx, eventId, after, onEnd);
    stream.live = ctx.vertx().eventBus().<JsonObject>localConsumer(Addresses.feed(eventId), msg -> stream.live(msg.body()));
    JsonObject open = new JsonObject().put("eventId", eventId).put("subscription", stream.subscription)
      .put("after", after);
    stream.live.completion()
      .compose(registered -> ctx.vertx().eventBus().<JsonObject>request(Addresses.FEED_OPEN, open, delivery))
      .onSuccess(reply -> stream.start(reply.body(), heartbeatMs, ctx.request().connection()))
      .onFailure(err -> {
        stream.close(); // when the open timed out here, it may still succeed there
        ctx.fail(err);
      });
  }

  private void start(JsonObject opened, long heartbeatMs, HttpConnection connection) {
    response.closeHandler(v -> close());
    if (response.closed()) {
      close();
      return;
    }
    // a server that shuts down ends the feed at once, rather than waiting its grace period for a
    // stream that never ends: the client reconnects (to another instance) with its Last-Event-ID
    connection.shutdownHandler(v -> {
      if (!closed) {
        response.end();
        close();
      }
    });
    response.setChunked(true)
      .putHeader("Content-Type", "text/event-stream")
      .putHeader("Cache-Control", "no-cache")
      .putHeader("X-Accel-Buffering", "no")
      // never compressed: each event must leave at once (the server removes this header again)
      .putHeader("Content-Encoding", "identity")
      .write(": connected\n\n");
    if (opened.getBoolean("reset", false)) {
      // Last-Event-ID is older than the log keeps: go on from now, under an id a reconnect resumes from
      lastSent = opened.getString("upTo");
      response.write("id: " + lastSent + "\nevent: reset\ndata: " + RESET + "\n\n");
    }
    opened.getJsonArray("backlog").forEach(entry -> send((JsonObject) entry));
    early.forEach(this::send);
    early.clear();
    streaming = true;
    heartbeat = vertx.setPeriodic(heartbeatMs, id -> response.write(": heartbeat\n\n"));
  }

  private void live(JsonObject entry) {
    if (streaming) {
      send(entry);
    } else {
      early.add(entry);
    }
  }

  private void send(JsonObject entry) {
    String id = entry.getString("id");
    if (closed || (lastSent != null && StreamIds.compare(id, lastSent) <= 0)) {
      return;
    }
    if (response.writeQueueFull()) {
      // a subscriber that does not keep up is dropped; it resumes from its Last-Event-ID
      response.reset();
      close();
      return;
    }
    lastSent = id;
    response.write("id: " + id + "\nevent: " + entry.getString("type") + "\ndata: " + entry.getString("data") + "\n\n");
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    onEnd.run();
    vertx.cancelTimer(heartbeat);
    live.unregister();
    JsonObject closing = new JsonObject().put("eventId", eventId).put("subscription", subscription);
    vertx.eventBus().send(Addresses.FEED_CLOSE, closing, Addresses.LOCAL);
  }
}
