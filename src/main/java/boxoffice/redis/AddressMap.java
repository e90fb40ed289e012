package boxoffice.redis;

import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rewrites the addresses cluster nodes announce into addresses this host can reach. A key is an
 * announced {@code host} (any port) or {@code host:port}; a value is a reachable {@code host} (the
 * port is kept) or {@code host:port}. An exact {@code host:port} entry wins over a host entry;
 * unmapped addresses pass through unchanged.
 */
public final class AddressMap {

  private static final Logger LOG = LoggerFactory.getLogger(AddressMap.class);

  private final Map<String, String> entries;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private final LongAdder connections = new LongAdder();
  private final LongAdder remapped = new LongAdder();

  private AddressMap(Map<String, String> entries) {
    this.entries = Map.copyOf(entries);
  }

  /** Reads {@code redis.addressMap}; a malformed entry throws with the entry named. */
  public static AddressMap fromJson(JsonObject json) {
    Map<String, String> entries = new HashMap<>();
    if (json != null) {
      for (Map.Entry<String, Object> e : json) {
        if (!(e.getValue() instanceof String to) || !isAddress(to) || !isAddress(e.getKey())) {
          throw new IllegalArgumentException("redis.addressMap." + e.getKey()
            + ": keys and values must be host or host:port strings");
        }
        entries.put(e.getKey(), to);
      }
    }
    return new AddressMap(entries);
  }

  private static boolean isAddress(String s) {
    int colon = s.lastIndexOf(':');
    String host = colon < 0 ? s : s.substring(0, colon);
    if (host.isEmpty() || host.contains(":") || host.contains("/")) {
      return false;
    }
    if (colon < 0) {
      return true;
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      return port > 0 && port < 65536;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The address to connect to for an announced address; counts every connection it sees. */
  public SocketAddress apply(SocketAddress announced) {
    connections.increment();
    if (entries.isEmpty() || !announced.isInetSocket()) {
      return announced;
    }
    String host = announced.host();
    String to = entries.get(host + ":" + announced.port());
    if (to == null) {
      to = entries.get(host);
    }
    if (to == null) {
      return announced;
    }
    int colon = to.lastIndexOf(':');
    SocketAddress target = colon < 0
      ? SocketAddress.inetSocketAddress(announced.port(), to)
      : SocketAddress.inetSocketAddress(Integer.parseInt(to.substring(colon + 1)), to.substring(0, colon));
    remapped.increment();
    if (LOG.isDebugEnabled() && logged.add(host + ":" + announced.port())) {
      LOG.debug("Redis node {}:{} is reached at {}:{}", host, announced.port(), target.host(), target.port());
    }
    return target;
  }

  /** Connections opened through the map, and how many of them it rewrote. */
  public JsonObject counters() {
    return new JsonObject().put("connections", connections.sum()).put("remapped", remapped.sum());
  }
}
