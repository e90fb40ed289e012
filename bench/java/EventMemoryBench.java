import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.ZModem;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one event costs Redis over its life (bench/event-memory.sh): a 100,000-seat event is
 * created with an end a little later, sold out through the service in holds of 4 seats (one hold in
 * five cancelled and its seats sold again), and retired at its end. After each stage every key of
 * the event (the keys of its slot named after it) is measured with MEMORY USAGE ... SAMPLES 0, by
 * kind: the event's own keys, confirmed records, ended (cancelled) records, idempotent answers.
 */
public final class EventMemoryBench {

  static final int ROWS = 250;
  static final int PER_ROW = 400;
  static final int QTY = 4;
  static final int CONCURRENCY = 64;

  static HttpClient http;
  static int port;

  public static void main(String[] args) throws Exception {
    port = Integer.parseInt(args[0]);
    int redisPort = Integer.parseInt(args[1]);
    long endInSeconds = Long.parseLong(args[2]);
    Vertx vertx = Vertx.vertx();
    try {
      http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(CONCURRENCY));
      String id = "mem" + System.currentTimeMillis();
      Instant endsAt = Instant.now().plusSeconds(endInSeconds);
      JsonObject created = call(HttpMethod.POST, "/events", new JsonObject().put("id", id).put("name", "Memory")
        .put("venue", "Hall").put("price", 10).put("rows", ROWS).put("seatsPerRow", PER_ROW)
        .put("endsAt", endsAt.toString())).await();
      System.out.println("event " + id + ": " + created.getLong("totalSeats") + " seats, ends " + endsAt);
      Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + redisPort);
      String tag = "{event:" + id + "}";
      RedisConnection master = owner(vertx, redis, tag);
      report("fresh", measure(master, tag));

      long start = System.currentTimeMillis();
      AtomicInteger holds = new AtomicInteger();
      AtomicInteger cancels = new AtomicInteger();
      List<Future<Void>> buyers = new ArrayList<>();
      for (int b = 0; b < CONCURRENCY; b++) {
        buyers.add(buy(id, b, 0, holds, cancels));
      }
      Future.join(buyers).await();
      System.out.printf("sold out in %.1f s: %d holds of %d seats, %d of them cancelled%n",
        (System.currentTimeMillis() - start) / 1000.0, holds.get(), QTY, cancels.get());
      report("sold out", measure(master, tag));

      while (!"1".equals(master.send(Request.cmd(Command.XLEN).arg(tag + ":changes")).await().toString())
        || Instant.now().isBefore(endsAt)) {
        Thread.sleep(500);
      }
      report("retired at its end", measure(master, tag));
      master.close();
      redis.close();
    } finally {
      vertx.close().await();
    }
  }

  /** One buyer: holds 4 seats, cancels one hold in five, confirms the others, until none is left. */
  static Future<Void> buy(String id, int buyer, int round, AtomicInteger holds, AtomicInteger cancels) {
    String user = "b" + buyer + "r" + round;
    return call(HttpMethod.POST, "/events/" + id + "/reservations", new JsonObject().put("userId", user).put("quantity", QTY))
      .transform(held -> {
        if (held.failed()) {
          return Future.succeededFuture(); // 409: sold out
        }
        holds.incrementAndGet();
        String rid = held.result().getString("reservationId");
        boolean cancel = (buyer + round) % 5 == 0;
        if (cancel) {
          cancels.incrementAndGet();
        }
        return call(HttpMethod.POST, "/events/" + id + "/reservations/" + rid + (cancel ? "/cancel" : "/confirm"),
          new JsonObject().put("userId", user)).compose(done -> buy(id, buyer, round + 1, holds, cancels));
      });
  }

  static Future<JsonObject> call(HttpMethod method, String path, JsonObject body) {
    return http.request(new RequestOptions().setMethod(method).setURI(path).putHeader("Content-Type", "application/json"))
      .compose(req -> req.send(body.toBuffer()))
      .compose(res -> res.body().compose(bytes -> res.statusCode() < 300
        ? Future.succeededFuture(new JsonObject(bytes))
        : Future.failedFuture(res.statusCode() + " " + bytes)));
  }

  /** A connection to the master that serves the key's slot. */
  static RedisConnection owner(Vertx vertx, Redis any, String key) {
    int slot = ZModem.generate(key);
    Response slots = any.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await();
    for (Response range : slots) {
      if (range.get(0).toInteger() <= slot && slot <= range.get(1).toInteger()) {
        return Redis.createClient(vertx, "redis://127.0.0.1:" + range.get(2).get(1).toInteger()).connect().await();
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** Bytes by kind of key. */
  static Map<String, long[]> measure(RedisConnection master, String tag) {
    int slot = ZModem.generate(tag);
    long count = master.send(Request.cmd(Command.CLUSTER).arg("COUNTKEYSINSLOT").arg(slot)).await().toLong();
    Map<String, long[]> byKind = new TreeMap<>();
    for (Response key : master.send(Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(slot).arg(count)).await()) {
      String name = key.toString();
      if (!name.startsWith(tag)) {
        continue;
      }
      String kind;
      if (name.startsWith(tag + ":res:")) {
        String status = master.send(Request.cmd(Command.HGET).arg(name).arg("status")).await().toString();
        kind = "records, " + status;
      } else if (name.startsWith(tag + ":idem:")) {
        kind = "idempotent answers";
      } else if (name.startsWith(tag + ":waiter:")) {
        kind = "waiters";
      } else {
        kind = "event keys" + (name.endsWith(":changes") ? " (change log)" : "");
      }
      Response bytes = master.send(Request.cmd(Command.MEMORY).arg("USAGE").arg(name).arg("SAMPLES").arg(0)).await();
      long[] sum = byKind.computeIfAbsent(kind, k -> new long[2]);
      sum[0] += bytes == null ? 0 : bytes.toLong();
      sum[1]++;
    }
    return byKind;
  }

  static void report(String stage, Map<String, long[]> byKind) {
    long total = byKind.values().stream().mapToLong(v -> v[0]).sum();
    System.out.printf("%-20s %8.2f MiB in all%n", stage, total / 1048576.0);
    byKind.forEach((kind, v) -> System.out.printf("    %-28s %8.2f MiB  %7d keys%n", kind, v[0] / 1048576.0, v[1]));
  }
}
