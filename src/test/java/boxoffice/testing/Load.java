package boxoffice.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Buyers through HTTP while the cluster changes: each worker holds one or two seats of an event
 * (round robin over the events), then confirms or cancels or walks away, again and again until stopped.
 * Every call is recorded; every confirmed sale is kept to check it afterwards.
 */
public final class Load {

  /**
   * One HTTP call: when it started and ended (ms), on which event and reservation (null for a hold),
   * which operation, what came back.
   */
  public record Call(long start, long end, String eventId, String reservationId, String op, int status,
                     String retryAfter, String detail) {
    public boolean ok() {
      return status == 200 || status == 201 || (status == 409 && !"confirm".equals(op));
    }
  }

  /** A sale answered 200: its seats must be sold to it, whatever happened to the cluster since. */
  public record Sale(String eventId, String reservationId, List<String> seats) {
  }

  /** A hold answered 201, and when it was asked and answered (ms): what a buyer was told they hold. */
  public record Hold(String eventId, String reservationId, String userId, List<String> seats, long start, long end) {
  }

  private final List<Api> apis;
  private final List<String> events;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Sale> sales = new ConcurrentHashMap<>();
  private final List<Hold> holds = new CopyOnWriteArrayList<>();
  private final List<Future<Void>> workers = new CopyOnWriteArrayList<>();
  private volatile boolean stopped;

  private Load(List<Api> apis, List<String> events) {
    this.apis = apis;
    this.events = events;
  }

  public static Load start(Vertx vertx, Api api, List<String> events, int concurrency) {
    return start(vertx, List.of(api), events, concurrency);
  }

  /** Buyers through several instances of the service: worker i calls {@code apis[i % n]}. */
  public static Load start(Vertx vertx, List<Api> apis, List<String> events, int concurrency) {
    Load load = new Load(apis, events);
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> done = Promise.promise();
      load.workers.add(done.future());
      int worker = i;
      vertx.runOnContext(v -> load.loop(worker, new Random(worker), 0, done));
    }
    return load;
  }

  /**
   * Buyers who do not wait for each other: every {@code everyMs} a new one holds, then confirms or
   * cancels or walks away, however long the calls before take. Unlike the workers of {@link #start},
   * who each wait for their last answer, they keep coming while calls hang, so that they show when a
   * shard serves again.
   */
  public static Load paced(Vertx vertx, Api api, List<String> events, long everyMs) {
    Load load = new Load(List.of(api), events);
    Random random = new Random(7);
    long[] round = {0};
    Promise<Void> done = Promise.promise();
    load.workers.add(done.future());
    vertx.setPeriodic(everyMs, timer -> {
      if (load.stopped) {
        vertx.cancelTimer(timer);
        done.complete();
        return;
      }
      Promise<Void> buyer = Promise.promise();
      load.workers.add(buyer.future());
      load.round(-1, random, round[0]++).onComplete(buyer);
    });
    return load;
  }

  private void loop(int worker, Random random, long round, Promise<Void> done) {
    if (stopped) {
      done.complete();
      return;
    }
    round(worker, random, round).onComplete(next -> loop(worker, random, round + 1, done));
  }

  /** One buyer's turn: a hold of one or two seats, then a confirm, a cancel or nothing. */
  private Future<Void> round(int worker, Random random, long round) {
    String eventId = events.get((int) ((Math.max(worker, 0) + round) % events.size()));
    String user = (worker < 0 ? "p" : "w" + worker) + "r" + round;
    Api api = apis.get(Math.max(worker, 0) % apis.size());
    long asked = System.currentTimeMillis();
    return call(eventId, null, "hold", api.holdQuantity(eventId, user, 1 + random.nextInt(2)))
      .compose(held -> {
        if (held.statusCode() != 201) {
          return Future.<Void>succeededFuture();
        }
        JsonObject reservation = held.bodyAsJsonObject();
        String id = reservation.getString("reservationId");
        holds.add(new Hold(eventId, id, user, reservation.getJsonArray("seats").stream().map(String::valueOf).toList(),
          asked, System.currentTimeMillis()));
        int choice = random.nextInt(10);
        if (choice < 5) {
          return call(eventId, id, "confirm", api.confirm(eventId, id, user)).map(r -> {
            if (r.statusCode() == 200) {
              sales.put(id, new Sale(eventId, id, reservation.getJsonArray("seats").stream().map(String::valueOf).toList()));
            }
            return (Void) null;
          });
        } else if (choice < 8) {
          return call(eventId, id, "cancel", api.cancel(eventId, id, user)).<Void>mapEmpty();
        }
        return Future.<Void>succeededFuture();
      })
      .<Void>mapEmpty()
      .recover(err -> Future.succeededFuture());
  }

  private Future<HttpResponse<Buffer>> call(String eventId, String reservationId, String op,
                                            Future<HttpResponse<Buffer>> request) {
    long start = System.currentTimeMillis();
    return request.andThen(result -> {
      long end = System.currentTimeMillis();
      if (result.failed()) {
        calls.add(new Call(start, end, eventId, reservationId, op, -1, null, result.cause().toString()));
        return;
      }
      HttpResponse<Buffer> response = result.result();
      String detail = response.statusCode() >= 500 ? detail(response) : null;
      calls.add(new Call(start, end, eventId, reservationId, op, response.statusCode(), response.getHeader("Retry-After"),
        detail));
    });
  }

  /** A problem's detail, or the body as it is when it is no problem+json (a proxy's page, nothing). */
  private static String detail(HttpResponse<Buffer> response) {
    try {
      JsonObject problem = response.bodyAsJsonObject();
      if (problem != null && problem.getString("detail") != null) {
        return problem.getString("detail");
      }
    } catch (DecodeException | ClassCastException e) {
      // not JSON, or JSON that is no problem: the body says what it is
    }
    return String.valueOf(response.bodyAsString());
  }

  /** Stops the workers and waits for their last calls; stopping twice is harmless. */
  public void stop() {
    stopped = true;
    Future.join(workers).await();
  }

  public List<Call> calls(Predicate<Call> which) {
    return calls.stream().filter(which).toList();
  }

  public List<Sale> sales() {
    return List.copyOf(sales.values());
  }

  public List<Hold> holds() {
    return List.copyOf(holds);
  }

  /** requests, ok, 503s, other errors, and what each failed call was: for the report of a scenario. */
  public static String summary(List<Call> calls) {
    long ok = calls.stream().filter(Call::ok).count();
    long unavailable = calls.stream().filter(c -> c.status() == 503).count();
    Map<String, Long> reasons = calls.stream().filter(c -> !c.ok())
      .collect(java.util.stream.Collectors.groupingBy(c -> c.op() + ": " + (c.detail() != null ? c.detail() : c.status()),
        java.util.stream.Collectors.counting()));
    return calls.size() + " requests, " + ok + " ok, " + unavailable + " 503, " + (calls.size() - ok - unavailable)
      + " other errors" + (reasons.isEmpty() ? "" : " " + reasons);
  }
}
