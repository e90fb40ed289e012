package boxoffice.store;

import boxoffice.bus.Failure;
import boxoffice.redis.ClusterConnection;
import boxoffice.redis.Masters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Script runs whose change must survive the loss of its master (a sale): each is answered only once
 * {@code redis.confirmReplicas} replicas have it, or as many as its master has online (a master
 * without replicas has nobody to fail over to: waiting could not help), within
 * {@code redis.confirmWaitMs}; otherwise it fails as unavailable, and repeating the call is safe.
 *
 * <p>WAIT blocks the socket it is sent on, so it never goes on the pipelined connections that holds
 * and reads share: each master has a client of its own here ({@link Masters}), with one WAIT in
 * flight at a time. The runs that come meanwhile wait in memory and go together in the next round:
 * their scripts run again (they are repeatable, and a repeat writes), then one WAIT covers them all.
 * The repeat also proves that the change is on the node the WAIT counts for, even when the slot
 * moved since the first run; a repeat that finds the change gone (a failover lost it) makes it
 * again, or answers why it cannot. A stalled replica thus delays only the runs on its master, each
 * by at most {@code confirmWaitMs}.
 */
public final class ReplicaAcks {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaAcks.class);
  /** Rounds that fail on their way (the slot moved, the master went down) a run may take part in. */
  private static final int FAILED_ROUNDS = 3;
  private static final long SHORTEST_WAIT_MS = 10;

  private static final class Run {
    final Script script;
    final String eventId;
    final List<String> args;
    final long deadline;
    final Promise<JsonObject> result = Promise.promise();
    int failedRounds;
    long timer = -1;

    Run(Script script, String eventId, List<String> args, long deadline) {
      this.script = script;
      this.eventId = eventId;
      this.args = args;
      this.deadline = deadline;
    }
  }

  private static final class Master {
    final List<Run> waiting = new ArrayList<>();
    boolean sending;
    /** Online replicas at the last round, -1 before the first. */
    int online = -1;
  }

  private final Vertx vertx;
  private final EventStore store;
  private final Masters masters;
  private final int replicas;
  private final long waitMs;
  private final Map<String, Master> byAddress = new HashMap<>();

  public ReplicaAcks(Vertx vertx, EventStore store) {
    this.vertx = vertx;
    this.store = store;
    this.masters = store.masters();
    this.replicas = store.settings().confirmReplicas();
    this.waitMs = store.settings().confirmWaitMs();
  }

  /** Runs the script, then answers its reply once replicas have the change (a "fail" as its command failure). */
  public Future<JsonObject> run(Script script, String eventId, List<String> args) {
    if (replicas == 0) {
      return store.run(script, eventId, args);
    }
    return store.run(script, eventId, args).compose(first -> {
      Run run = new Run(script, eventId, args, now() + waitMs);
      enqueue(run);
      return run.result.future().compose(EventStore::outcome);
    });
  }

  private void enqueue(Run run) {
    masters.known().onComplete(known -> {
      String address = masters.of(Keys.event(run.eventId));
      if (address == null) {
        run.result.tryFail(notReplicated());
        return;
      }
      Master master = byAddress.computeIfAbsent(address, a -> new Master());
      master.waiting.add(run);
      long left = run.deadline - now();
      run.timer = vertx.setTimer(Math.max(1, left), t -> {
        master.waiting.remove(run); // still waiting for its round: nothing of it was sent again
        run.result.tryFail(notReplicated());
      });
      send(address, master);
    });
  }

  /** One round on a master: every waiting run's script again, the replicas online, then one WAIT. */
  private void send(String address, Master master) {
    if (master.sending || master.waiting.isEmpty()) {
      return;
    }
    master.sending = true;
    List<Run> round = List.copyOf(master.waiting);
    master.waiting.clear();
    round.forEach(run -> vertx.cancelTimer(run.timer));
    long deadline = round.stream().mapToLong(run -> run.deadline).min().orElseThrow();
    long timeout = Math.max(SHORTEST_WAIT_MS, deadline - now());
    int waitFor = master.online < 0 ? replicas : Math.min(replicas, master.online);
    batch(address, round, waitFor, timeout)
      .onSuccess(responses -> settle(master, round, responses, waitFor))
      .onFailure(err -> retry(round, err))
      .onComplete(done -> {
        master.sending = false;
        send(address, master);
      });
  }

  private Future<List<Response>> batch(String address, List<Run> round, int waitFor, long timeout) {
    List<Request> requests = new ArrayList<>(round.size() + 2);
    round.forEach(run -> requests.add(store.request(run.script, run.eventId, run.args)));
    requests.add(Request.cmd(Command.INFO).arg("replication"));
    requests.add(Request.cmd(Command.WAIT).arg(waitFor).arg(timeout));
    return masters.client(address).batch(requests).recover(err -> err.getMessage().contains("Function not found")
      ? store.loadLibrary().compose(loaded -> masters.client(address).batch(requests)) // a new master
      : Future.failedFuture(err));
  }

  private void settle(Master master, List<Run> round, List<Response> responses, int waitedFor) {
    int online = (int) responses.get(round.size()).toString().lines()
      .filter(line -> line.startsWith("slave") && line.contains("state=online")).count();
    master.online = online;
    int needed = Math.min(replicas, online);
    int acked = responses.get(round.size() + 1).toInteger();
    for (int i = 0; i < round.size(); i++) {
      Run run = round.get(i);
      JsonObject reply = store.accept(run.eventId, responses.get(i));
      if (acked >= needed) {
        run.result.tryComplete(reply);
      } else if (run.deadline > now()) {
        enqueue(run); // the round ended at an earlier run's time, or waited for fewer replicas than are online
      } else {
        run.result.tryFail(notReplicated());
      }
    }
  }

  /**
   * A round that failed on its way (the slot moved, the master went down): the slot map is read
   * again and each run tries a later round, on whatever master serves it then, while its time lasts.
   */
  private void retry(List<Run> round, Throwable err) {
    LOG.debug("A round of replica acknowledgements failed: {}", err.getMessage());
    masters.refresh().onComplete(read -> round.forEach(run -> {
      if (++run.failedRounds < FAILED_ROUNDS && run.deadline > now()
        && ClusterConnection.isTransient(err)) {
        enqueue(run);
      } else {
        run.result.tryFail(notReplicated());
      }
    }));
  }

  /** Milliseconds of a monotonic clock: deadlines are durations, whatever the wall clock does. */
  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  private static ReplyException notReplicated() {
    return Failure.UNAVAILABLE.exception(new JsonObject().put("type", "not-replicated")
      .put("detail", "the change may be on the event's master but no replica has acknowledged it in time; "
        + "repeat the request, a repeat is safe"));
  }

}
