package boxoffice.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A subscriber of an event's live feed, over a real HTTP connection, parsing server-sent events. */
public final class SseClient {

  /** One server-sent event. */
  public record Event(String id, String type, JsonObject data) {
  }

  private final HttpClient client;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final StringBuilder pending = new StringBuilder();
  private int status;

  private SseClient(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  /** Connects and waits for the answer's head; the events then arrive in the background. */
  public static SseClient connect(Vertx vertx, int port, String eventId, String lastEventId) {
    SseClient sse = new SseClient(vertx);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
      .setURI("/events/" + eventId + "/changes");
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    // the handler is set as the head arrives, on the event loop, so that no chunk goes by unread
    HttpClientResponse response = sse.client.request(options).compose(req -> req.send())
      .map(head -> head.handler(buffer -> sse.parse(buffer.toString())))
      .await();
    sse.status = response.statusCode();
    return sse;
  }

  private synchronized void parse(String chunk) {
    pending.append(chunk);
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      String id = null;
      String type = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith(":")) {
          comments.incrementAndGet();
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (data != null) {
        events.add(new Event(id, type, new JsonObject(data)));
      }
    }
  }

  public int status() {
    return status;
  }

  public List<Event> events() {
    return events;
  }

  public int comments() {
    return comments.get();
  }

  /** Waits until at least n events arrived. */
  public List<Event> await(int n, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (events.size() < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("only " + events.size() + " of " + n + " events arrived: " + events);
      }
      Thread.sleep(10);
    }
    return List.copyOf(events);
  }

  public void close() {
    client.close().await();
  }
}
