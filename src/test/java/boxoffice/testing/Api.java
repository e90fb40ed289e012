package boxoffice.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.List;
import java.util.stream.IntStream;

/**
 * An HTTP client of the service, as its users call it, over real sockets. Every request and answer is
 * held to the API's contract ({@link Contract}): a departure fails the call.
 */
public final class Api {

  private final WebClient client;

  public Api(Vertx vertx, int port) {
    this.client = WebClient.create(vertx,
      new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(128));
    Contract.watch(client);
  }

  public Future<HttpResponse<Buffer>> get(String path) {
    return client.request(HttpMethod.GET, path).send();
  }

  public Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
    return client.request(HttpMethod.POST, path).sendJsonObject(body);
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.request(method, path);
  }

  /** Creates a rows x seatsPerRow event, failing the test unless it is 201. */
  public JsonObject createEvent(String id, int rows, int seatsPerRow, int holdSeconds) {
    HttpResponse<Buffer> response = post("/events", new JsonObject()
      .put("id", id).put("name", "Concert " + id).put("venue", "Hall").put("price", 25)
      .put("rows", rows).put("seatsPerRow", seatsPerRow).put("holdSeconds", holdSeconds)).await();
    if (response.statusCode() != 201) {
      throw new AssertionError("event not created: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  public Future<HttpResponse<Buffer>> hold(String eventId, String userId, List<String> seats) {
    return post("/events/" + eventId + "/reservations",
      new JsonObject().put("userId", userId).put("seats", new JsonArray(seats)));
  }

  public Future<HttpResponse<Buffer>> holdQuantity(String eventId, String userId, int quantity) {
    return post("/events/" + eventId + "/reservations", new JsonObject().put("userId", userId).put("quantity", quantity));
  }

  public Future<HttpResponse<Buffer>> confirm(String eventId, String reservationId, String userId) {
    return post("/events/" + eventId + "/reservations/" + reservationId + "/confirm", new JsonObject().put("userId", userId));
  }

  public Future<HttpResponse<Buffer>> cancel(String eventId, String reservationId, String userId) {
    return post("/events/" + eventId + "/reservations/" + reservationId + "/cancel", new JsonObject().put("userId", userId));
  }

  /** Seat ids of a grid event, row by row: A1..A{perRow}, B1... */
  public static List<String> seatIds(int rows, int perRow) {
    return IntStream.range(0, rows * perRow)
      .mapToObj(i -> String.valueOf((char) ('A' + i / perRow)) + (i % perRow + 1)).toList();
  }

  public void close() {
    client.close();
  }
}
