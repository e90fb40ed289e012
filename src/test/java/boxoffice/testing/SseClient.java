package boxoffice.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A subscriber of an event's live feed, over a real HTTP connection, parsing server-sent events. The
 * feed is held to the API's contract ({@link Contract}): each event as it arrives, the request and
 * the answer (what arrived of it) when the client closes.
 */
public final class SseClient {

  /** One server-sent event. */
  public record Event(String id, String type, JsonObject data) {
  }

  private static final String STREAM = "text/event-stream";

  private final HttpClient client;
  private final RequestOptions request;
  private final Function<JsonObject, String> contract;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final StringBuilder pending = new StringBuilder();
  private final Buffer received = Buffer.buffer();
  private final Promise<Void> ended = Promise.promise();
  private HttpClientResponse response;

  private SseClient(Vertx vertx, RequestOptions request) {
    this.client = vertx.createHttpClient();
    this.request = request;
    this.contract = Contract.get().items(request.getMethod(), request.getURI(), STREAM);
  }

  /** Connects and waits for the answer's head; the events then arrive in the background. */
  public static SseClient connect(Vertx vertx, int port, String eventId, String lastEventId) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (lastEventId != null) {
      headers.add("Last-Event-ID", lastEventId);
    }
    return connectWith(vertx, port, eventId, headers);
  }

  /** The same with the request's headers. */
  public static SseClient connectWith(Vertx vertx, int port, String eventId, MultiMap headers) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
      .setURI("/events/" + eventId + "/changes").setHeaders(headers);
    SseClient sse = new SseClient(vertx, options);
    // the handler is set as the head arrives, on the event loop, so that no chunk goes by unread
    sse.response = sse.client.request(options).compose(req -> req.send())
      .map(head -> head.handler(sse::parse).endHandler(v -> sse.ended.tryComplete()).exceptionHandler(sse.ended::tryFail))
      .await();
    return sse;
  }

  private synchronized void parse(Buffer chunk) {
    received.appendBuffer(chunk);
    pending.append(chunk.toString());
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
        events.add(new Event(id, type, held(id, type, data)));
      }
    }
  }

  /** The event's data, held to the contract; its departures fail the test (see ContractExtension). */
  private JsonObject held(String id, String type, String data) {
    JsonObject json;
    try {
      json = new JsonObject(data);
    } catch (DecodeException e) {
      contract.apply(new JsonObject().put("id", id).put("event", type).put("data", data));
      return new JsonObject();
    }
    contract.apply(new JsonObject().put("id", id).put("event", type).put("data", json));
    if (!"reset".equals(type) && !String.valueOf(type).equals(json.getValue("type"))) {
      Contract.departure(request.getMethod() + " " + request.getURI() + ": the event " + type + " carries a change of type "
        + json.getValue("type"));
    }
    return json;
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.getHeader(name);
  }

  /** Completes when the service ends the stream. */
  public Future<Void> ended() {
    return ended.future();
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

  /** Closes the connection, and holds the request and what arrived of the answer to the contract. */
  public void close() {
    client.close().await();
    Buffer body;
    synchronized (this) {
      body = received.copy();
    }
    Contract.get().check(new Contract.Exchange(request.getMethod(), request.getURI(), request.getHeaders(), null,
      response.statusCode(), response.headers(), body)).await();
  }
}
