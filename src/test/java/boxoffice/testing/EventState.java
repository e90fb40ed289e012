package boxoffice.testing;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event's raw state, read straight from the master that owns its slot (not through the service),
 * and the invariants every write path must keep.
 */
public record EventState(Map<String, String> seats, Map<String, Long> stats,
                         Map<String, Map<String, String>> reservations, byte[] free, List<String> layout,
                         Map<String, Long> userSeats) {

  public static EventState read(Vertx vertx, TestCluster cluster, String eventId) {
    int node = cluster.masterOf(TestCluster.slot("{event:" + eventId + "}"));
    return read(vertx, "127.0.0.1:" + cluster.port(node), eventId);
  }

  /** The event's state as the node at {@code address} ({@code host:port}), its master, has it. */
  public static EventState read(Vertx vertx, String address, String eventId) {
    String tag = "{event:" + eventId + "}";
    Redis redis = Redis.createClient(vertx, "redis://" + address);
    try {
      RedisConnection conn = redis.connect().await();
      Map<String, String> seats = hash(conn.send(Request.cmd(Command.HGETALL).arg(tag + ":seats")).await());
      Map<String, Long> stats = new HashMap<>();
      hash(conn.send(Request.cmd(Command.HGETALL).arg(tag + ":stats")).await())
        .forEach((k, v) -> stats.put(k, Long.parseLong(v)));
      Map<String, Map<String, String>> reservations = new HashMap<>();
      for (String seatState : seats.values()) {
        int colon = seatState.indexOf(':');
        if (colon > 0) {
          String id = seatState.substring(colon + 1);
          reservations.computeIfAbsent(id, r ->
            hash(conn.send(Request.cmd(Command.HGETALL).arg(tag + ":res:" + r)).await()));
        }
      }
      // every record of the event, whatever its state: the keys of its slot named after it
      int slot = TestCluster.slot(tag);
      Response count = conn.send(Request.cmd(Command.CLUSTER).arg("COUNTKEYSINSLOT").arg(slot)).await();
      for (Response key : conn.send(Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(slot).arg(count.toInteger())).await()) {
        String name = key.toString();
        if (name.startsWith(tag + ":res:")) {
          reservations.computeIfAbsent(name.substring((tag + ":res:").length()), r ->
            hash(conn.send(Request.cmd(Command.HGETALL).arg(name)).await()));
        }
      }
      Response free = conn.send(Request.cmd(Command.GET).arg(tag + ":free")).await();
      conn.close();
      Map<String, Long> users = new HashMap<>();
      hash(conn.send(Request.cmd(Command.HGETALL).arg(tag + ":users")).await())
        .forEach((user, seatCount) -> users.put(user, Long.parseLong(seatCount)));
      return new EventState(seats, stats, reservations, free == null ? new byte[0] : free.toBytes(), layoutOf(seats),
        users);
    } finally {
      redis.close();
    }
  }

  private static Map<String, String> hash(Response response) {
    Map<String, String> map = new HashMap<>();
    if (response != null) {
      for (String key : response.getKeys()) {
        map.put(key, response.get(key).toString());
      }
    }
    return map;
  }

  /** Grid seat ids in layout order (row letter, then number), as the free bitmap indexes them. */
  private static List<String> layoutOf(Map<String, String> seats) {
    return seats.keySet().stream().sorted((a, b) -> {
      String ra = a.replaceAll("\\d", ""), rb = b.replaceAll("\\d", "");
      if (!ra.equals(rb)) {
        return ra.length() != rb.length() ? ra.length() - rb.length() : ra.compareTo(rb);
      }
      return Integer.parseInt(a.substring(ra.length())) - Integer.parseInt(b.substring(rb.length()));
    }).toList();
  }

  public long count(String prefix) {
    return seats.values().stream().filter(s -> s.startsWith(prefix)).count();
  }

  /** The reservation that holds or bought a seat, or null when the seat is available. */
  public String owner(String seat) {
    String state = seats.get(seat);
    int colon = state.indexOf(':');
    return colon < 0 ? null : state.substring(colon + 1);
  }

  /**
   * Counters equal the seat map; every held or sold seat belongs to a reservation in the matching
   * status that lists it; every live reservation still has all its seats (nothing lost); the free
   * bitmap marks exactly the available seats; and each user's count of seats held or bought (for the
   * per-user cap) is what their reservations hold.
   */
  public void assertInvariants() {
    assertEquals(count("available"), stats.get("available"), "stats.available equals the seat map");
    assertEquals(count("pending:"), stats.get("pending"), "stats.pending equals the seat map");
    assertEquals(count("sold:"), stats.get("sold"), "stats.sold equals the seat map");
    assertEquals(seats.size(), stats.get("available") + stats.get("pending") + stats.get("sold"),
      "every seat counted once");
    seats.forEach((seat, state) -> {
      String owner = owner(seat);
      if (owner != null) {
        Map<String, String> r = reservations.get(owner);
        assertNotNull(r, "seat " + seat + " belongs to an existing reservation");
        assertEquals(state.startsWith("sold:") ? "confirmed" : "pending", r.get("status"), "status of " + owner);
        assertTrue(List.of(r.get("seats").split(",")).contains(seat), owner + " lists " + seat);
      }
    });
    reservations.forEach((id, r) -> {
      String expected = switch (r.get("status")) {
        case "pending" -> "pending:" + id;
        case "confirmed" -> "sold:" + id;
        default -> null;
      };
      if (expected != null) {
        for (String seat : r.get("seats").split(",")) {
          assertEquals(expected, seats.get(seat), "seat " + seat + " of " + r.get("status") + " reservation " + id);
        }
      }
    });
    Map<String, Long> taken = new HashMap<>();
    seats.forEach((seat, state) -> {
      String owner = owner(seat);
      if (owner != null) {
        taken.merge(reservations.get(owner).get("user"), 1L, Long::sum);
      }
    });
    assertEquals(taken, userSeats, "each user's seat count equals the seats their reservations hold or bought");
    for (int i = 0; i < layout.size(); i++) {
      boolean bit = i / 8 < free.length && (free[i / 8] & (0x80 >> (i % 8))) != 0;
      assertEquals("available".equals(seats.get(layout.get(i))), bit, "free bit of " + layout.get(i));
    }
  }
}
