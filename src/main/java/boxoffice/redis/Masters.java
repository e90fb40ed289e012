package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's masters as this verticle last read them ({@code CLUSTER SLOTS}): which one serves a
 * slot, and a client of each, for calls that must go to one master on sockets no other traffic uses.
 * Read again whenever a caller finds it out of date (a MOVED reply, a node that does not answer).
 */
public final class Masters {

  private final RedisCluster redis;
  private final ClusterConnection connection;
  private final Map<String, Redis> clients = new HashMap<>();
  private String[] bySlot = new String[HashSlot.SLOTS];
  private Future<Void> reading;

  public Masters(RedisCluster redis, ClusterConnection connection) {
    this.redis = redis;
    this.connection = connection;
  }

  /** The address ({@code host:port} as announced) of the master serving the key's slot, or null. */
  public String of(String key) {
    return bySlot[HashSlot.of(key)];
  }

  /** Every master's address. */
  public Set<String> all() {
    return Set.copyOf(Arrays.stream(bySlot).filter(a -> a != null).toList());
  }

  /** The client of a master, made on first use and kept while it serves slots. */
  public Redis client(String address) {
    return clients.computeIfAbsent(address, redis::node);
  }

  /** Reads the slot map again; calls made meanwhile share one read. */
  public Future<Void> refresh() {
    if (reading == null) {
      reading = connection.send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
        .map(this::use)
        .andThen(done -> reading = null);
    }
    return reading;
  }

  /** Known once read at least once. */
  public Future<Void> known() {
    return Arrays.stream(bySlot).anyMatch(a -> a != null) ? Future.succeededFuture() : refresh();
  }

  private Void use(Response slots) {
    String[] fresh = new String[HashSlot.SLOTS];
    for (Response range : slots) {
      Response master = range.get(2);
      String address = master.get(0).toString() + ":" + master.get(1).toInteger();
      Arrays.fill(fresh, range.get(0).toInteger(), range.get(1).toInteger() + 1, address);
    }
    bySlot = fresh;
    Set<String> serving = all();
    List<String> gone = clients.keySet().stream().filter(a -> !serving.contains(a)).toList();
    gone.forEach(address -> clients.remove(address).close());
    return null;
  }

  public Future<Void> close() {
    return Future.join(clients.values().stream().map(Redis::close).toList()).mapEmpty();
  }
}
