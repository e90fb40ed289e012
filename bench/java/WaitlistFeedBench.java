import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Waitlist promotion latency and live-feed fan-out, against a running service (bench/waitlist-feed.sh).
 *
 *   promotion   a sold-out event of 50 seats with 50 waiters of one seat; each release (a cancel) must
 *               promote the next waiter: time from sending the cancel to the waitlist.promoted change
 *               reaching a feed subscriber. Baseline: the cancel's own round trip, in the same round.
 *   fanout-N    N subscribers of one event's feed; one change (a hold): time from sending the hold to
 *               its change reaching the last subscriber. Baseline: the same with 1 subscriber.
 *
 * Prints p50/p99 per scenario and round, then medians over the rounds and the ratios.
 */
public final class WaitlistFeedBench {

  static Vertx vertx;
  static HttpClient http;
  static int port;

  public static void main(String[] args) {
    try {
      run(args);
      System.exit(0);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  static void run(String[] args) throws Exception {
    port = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int fanout = Integer.parseInt(args[2]);
    vertx = Vertx.vertx();
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
      new PoolOptions().setHttp1MaxSize(64));
    Map<String, List<Double>> p50 = new ConcurrentHashMap<>();
    Map<String, List<Double>> p99 = new ConcurrentHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      record(p50, p99, round, promotion("promo" + round + "x" + System.nanoTime() % 100000));
      record(p50, p99, round, fanout("fan1r" + round + "x" + System.nanoTime() % 100000, 1));
      record(p50, p99, round, fanout("fanNr" + round + "x" + System.nanoTime() % 100000, fanout));
    }
    System.out.println();
    System.out.println("medians over " + rounds + " rounds (ms)        p50      p99");
    for (String name : new java.util.TreeSet<>(p50.keySet())) {
      System.out.printf("  %-28s %8.2f %8.2f%n", name, median(p50.get(name)), median(p99.get(name)));
    }
    System.out.printf("ratios: promotion / cancel round trip = %.2f (p50); fan-out to %d / to 1 = %.2f (p50), %.2f (p99)%n",
      median(p50.get("promotion")) / median(p50.get("cancel (baseline)")), fanout,
      median(p50.get("fanout-" + fanout)) / median(p50.get("fanout-1")),
      median(p99.get("fanout-" + fanout)) / median(p99.get("fanout-1")));
  }

  record Result(Map<String, List<Double>> samples) {
  }

  static void record(Map<String, List<Double>> p50, Map<String, List<Double>> p99, int round, Map<String, List<Double>> samples) {
    samples.forEach((name, values) -> {
      Collections.sort(values);
      double a = values.get(values.size() / 2);
      double b = values.get(Math.min(values.size() - 1, (int) Math.ceil(values.size() * 0.99) - 1));
      System.out.printf("round %d  %-24s n=%-4d p50 %7.2f ms  p99 %7.2f ms%n", round, name, values.size(), a, b);
      p50.computeIfAbsent(name, k -> new ArrayList<>()).add(a);
      p99.computeIfAbsent(name, k -> new ArrayList<>()).add(b);
    });
  }

  static Map<String, List<Double>> promotion(String event) throws Exception {
    int seats = 50;
    create(event, 1, seats);
    List<String> holds = new ArrayList<>();
    for (int i = 0; i < seats; i++) {
      holds.add(send(HttpMethod.POST, "/events/" + event + "/reservations",
        new JsonObject().put("userId", "h" + i).put("quantity", 1)).getString("reservationId"));
    }
    for (int i = 0; i < seats; i++) {
      send(HttpMethod.POST, "/events/" + event + "/waitlist", new JsonObject().put("userId", "w" + i).put("quantity", 1));
    }
    Map<String, CountDownLatch> promoted = new ConcurrentHashMap<>();
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    subscribe(event, change -> {
      if ("waitlist.promoted".equals(change.getString("type"))) {
        String user = change.getString("userId");
        seenAt.put(user, System.nanoTime());
        promoted.computeIfAbsent(user, u -> new CountDownLatch(1)).countDown();
      }
    });
    List<Double> latency = new ArrayList<>();
    List<Double> cancel = new ArrayList<>();
    for (int i = 0; i < seats; i++) {
      long start = System.nanoTime();
      send(HttpMethod.POST, "/events/" + event + "/reservations/" + holds.get(i) + "/cancel", new JsonObject().put("userId", "h" + i));
      cancel.add((System.nanoTime() - start) / 1e6);
      String waiter = "w" + i;
      if (!promoted.computeIfAbsent(waiter, u -> new CountDownLatch(1)).await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(waiter + " was not promoted");
      }
      latency.add((seenAt.get(waiter) - start) / 1e6);
    }
    return Map.of("promotion", latency, "cancel (baseline)", cancel);
  }

  static Map<String, List<Double>> fanout(String event, int subscribers) throws Exception {
    create(event, 100, 100);
    Map<String, CountDownLatch> delivered = new ConcurrentHashMap<>();
    Map<String, Long> lastAt = new ConcurrentHashMap<>();
    for (int s = 0; s < subscribers; s++) {
      subscribe(event, change -> {
        String id = change.getString("reservationId");
        if (id != null) {
          lastAt.put(id, System.nanoTime());
          delivered.computeIfAbsent(id, k -> new CountDownLatch(subscribers)).countDown();
        }
      });
    }
    List<Double> latency = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long start = System.nanoTime();
      JsonObject hold = send(HttpMethod.POST, "/events/" + event + "/reservations",
        new JsonObject().put("userId", "u" + i).put("quantity", 1));
      String id = hold.getString("reservationId");
      if (id == null) {
        throw new IllegalStateException("a hold answered without a reservation: " + hold);
      }
      if (!delivered.computeIfAbsent(id, k -> new CountDownLatch(subscribers)).await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("change " + id + " did not reach every subscriber");
      }
      latency.add((lastAt.get(id) - start) / 1e6);
    }
    return Map.of("fanout-" + subscribers, latency);
  }

  static void create(String event, int rows, int perRow) {
    send(HttpMethod.POST, "/events", new JsonObject().put("id", event).put("name", "Bench").put("venue", "Hall")
      .put("price", 10).put("rows", rows).put("seatsPerRow", perRow));
  }

  static JsonObject send(HttpMethod method, String path, JsonObject body) {
    HttpClientResponse[] head = new HttpClientResponse[1];
    Buffer buffer = http.request(method, path)
      .compose(req -> req.putHeader("Content-Type", "application/json").send(body.toBuffer()))
      .compose(resp -> {
        head[0] = resp;
        return resp.body();
      }).await();
    if (head[0].statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + head[0].statusCode() + " " + buffer);
    }
    return buffer.length() == 0 ? new JsonObject() : buffer.toJsonObject();
  }

  /** One SSE connection of its own; calls back with each change's data. */
  static void subscribe(String event, Consumer<JsonObject> onChange) {
    HttpClient own = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    StringBuilder pending = new StringBuilder();
    own.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/events/" + event + "/changes"))
      .compose(req -> req.send())
      .map(resp -> resp.handler(chunk -> {
        pending.append(chunk.toString());
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          for (String line : pending.substring(0, end).split("\n")) {
            if (line.startsWith("data: ")) {
              onChange.accept(new JsonObject(line.substring(6)));
            }
          }
          pending.delete(0, end + 2);
        }
      }))
      .await();
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
