package boxoffice;

import boxoffice.auth.JwtSettings;
import boxoffice.bus.Addresses;
import boxoffice.cluster.BridgeSettings;
import boxoffice.cluster.ClusterSettings;
import boxoffice.redis.AddressMap;
import boxoffice.redis.RedisSettings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The service's configuration: a JSON file ({@code conf/*.json}), then environment overrides for the
 * common keys. Anything wrong stops the start with a {@link ConfigException} naming the key.
 */
public record Config(int httpPort, int instances, RedisSettings redis, String adminApiKey,
                     int holdSeconds, int maxSeatsPerHold, int maxSeatsPerUser, long soldOutMs, long sweeperIntervalMs, long sweeperReconcileMs,
                     long feedPollMs, long feedHeartbeatMs, boolean metricsEnabled, ClusterSettings cluster,
                     BridgeSettings bridge, JwtSettings jwt, int holdsPerSecond, int burst, int idleTimeoutSeconds,
                     int maxFeedSubscribers) {

  /** Environment variable -> configuration key it overrides. */
  static final Map<String, String> ENV = Map.ofEntries(
    Map.entry("BOXOFFICE_HTTP_PORT", "http.port"),
    Map.entry("BOXOFFICE_REDIS_NODES", "redis.nodes"),
    Map.entry("BOXOFFICE_REDIS_MAX_POOL_SIZE", "redis.maxPoolSize"),
    Map.entry("BOXOFFICE_ADMIN_API_KEY", "admin.apiKey"),
    Map.entry("BOXOFFICE_HOLD_SECONDS", "hold.seconds"),
    Map.entry("BOXOFFICE_HOLD_MAX_SEATS", "hold.maxSeatsPerHold"),
    Map.entry("BOXOFFICE_HOLD_MAX_SEATS_PER_USER", "hold.maxSeatsPerUser"),
    Map.entry("BOXOFFICE_SWEEPER_INTERVAL_MS", "sweeper.intervalMs"),
    Map.entry("BOXOFFICE_METRICS_ENABLED", "metrics.enabled"),
    Map.entry("BOXOFFICE_CLUSTER_ENABLED", "cluster.enabled"),
    Map.entry("BOXOFFICE_CLUSTER_HOST", "cluster.host"),
    Map.entry("BOXOFFICE_CLUSTER_MEMBER_PORT", "cluster.memberPort"),
    Map.entry("BOXOFFICE_CLUSTER_MEMBERS", "cluster.members"),
    Map.entry("BOXOFFICE_CLUSTER_BUS_PORT", "cluster.busPort"),
    Map.entry("BOXOFFICE_BRIDGE_PORT", "bridge.port"),
    Map.entry("BOXOFFICE_AUTH_JWT_PUBLIC_KEY_FILE", "auth.jwt.publicKeyFile"),
    Map.entry("BOXOFFICE_LIMITS_HOLDS_PER_SECOND", "limits.holdsPerSecond"),
    Map.entry("BOXOFFICE_LIMITS_BURST", "limits.burst"));

  /** The addresses programs on the bridge may send to unless configured: the commands that only read. */
  static final List<String> BRIDGE_INBOUND = List.of(Addresses.EVENT_GET, Addresses.RESERVATION_GET,
    Addresses.WAITLIST_GET);

  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }

  public static Config load(Path file, Map<String, String> env) {
    return fromJson(read(file, env));
  }

  /**
   * Only the {@code cluster} section of a configuration file (with the environment's overrides), for
   * a program that joins the service's cluster without being the service (boxoffice.tools.EventTail).
   */
  public static ClusterSettings loadCluster(Path file, Map<String, String> env) {
    return cluster(section(read(file, env), "cluster", false));
  }

  private static JsonObject read(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("configuration file " + file + " cannot be read: " + e.getMessage());
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("configuration file " + file + " is not a JSON object: "
        + e.getMessage().lines().findFirst().orElse(""));
    }
    ENV.forEach((variable, key) -> {
      String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        override(json, key, value.trim());
      }
    });
    return json;
  }

  private static void override(JsonObject json, String key, String value) {
    String[] path = key.split("\\.");
    JsonObject section = json;
    for (int i = 0; i < path.length - 1; i++) {
      if (!(section.getValue(path[i]) instanceof JsonObject inner)) {
        JsonObject created = new JsonObject();
        section.put(path[i], created);
        section = created;
      } else {
        section = inner;
      }
    }
    Object parsed = switch (key) {
      case "redis.nodes", "cluster.members" -> new JsonArray(Arrays.stream(value.split(",")).map(String::trim).toList());
      case "admin.apiKey", "cluster.host", "auth.jwt.publicKeyFile" -> value;
      case "metrics.enabled", "cluster.enabled" -> parseBoolean(key, value);
      default -> parseNumber(key, value);
    };
    section.put(path[path.length - 1], parsed);
  }

  private static Long parseNumber(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": must be an integer, got '" + value + "' from the environment");
    }
  }

  private static Boolean parseBoolean(String key, String value) {
    if (!value.equals("true") && !value.equals("false")) {
      throw new ConfigException(key + ": must be true or false, got '" + value + "' from the environment");
    }
    return Boolean.valueOf(value);
  }

  public static Config fromJson(JsonObject json) {
    JsonObject http = section(json, "http", false);
    JsonObject redis = section(json, "redis", true);
    JsonObject admin = section(json, "admin", false);
    JsonObject hold = section(json, "hold", false);
    JsonObject sweeper = section(json, "sweeper", false);
    JsonObject feed = section(json, "feed", false);
    JsonObject metrics = section(json, "metrics", false);
    JsonObject limits = section(json, "limits", false);

    Object nodesValue = redis.getValue("nodes");
    if (!(nodesValue instanceof JsonArray nodesArray) || nodesArray.isEmpty()) {
      throw new ConfigException("redis.nodes: required, a non-empty array of redis://host:port strings");
    }
    List<String> nodes = new ArrayList<>();
    for (Object node : nodesArray) {
      if (!(node instanceof String s) || !s.matches("rediss?://[^\\s/]+:\\d{1,5}/?")) {
        throw new ConfigException("redis.nodes: '" + node + "' is not a redis://host:port string");
      }
      nodes.add(s);
    }
    AddressMap addressMap;
    Object map = redis.getValue("addressMap");
    if (map != null && !(map instanceof JsonObject)) {
      throw new ConfigException("redis.addressMap: must be an object of announced -> reachable addresses");
    }
    try {
      addressMap = AddressMap.fromJson((JsonObject) map);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    Object apiKey = admin.getValue("apiKey");
    if (apiKey != null && (!(apiKey instanceof String s) || s.isEmpty())) {
      throw new ConfigException("admin.apiKey: must be a non-empty string, or null for no admin key");
    }
    return new Config(
      integer(http, "http.port", 8080, 0, 65535),
      integer(http, "http.instances", Runtime.getRuntime().availableProcessors(), 1, 64),
      new RedisSettings(nodes, addressMap,
        integer(redis, "redis.maxPoolSize", 16, 1, 1024),
        integer(redis, "redis.connectTimeoutMs", 2000, 100, 60000),
        integer(redis, "redis.commandTimeoutMs", 3000, 100, 60000),
        integer(redis, "redis.confirmReplicas", 1, 0, 16),
        integer(redis, "redis.confirmWaitMs", 1000, 10, 60000)),
      (String) apiKey,
      integer(hold, "hold.seconds", 900, 1, 86400),
      // at most 1000: a hold passes 4 values a seat through Lua's unpack() (lua/lib.lua set_seats)
      integer(hold, "hold.maxSeatsPerHold", 10, 1, 1000),
      integer(hold, "hold.maxSeatsPerUser", 0, 0, 100_000),
      integer(hold, "hold.soldOutMs", 50, 0, 10_000),
      integer(sweeper, "sweeper.intervalMs", 1000, 10, 3_600_000),
      integer(sweeper, "sweeper.reconcileMs", 60_000, 100, 86_400_000),
      integer(feed, "feed.pollMs", 100, 5, 10_000),
      integer(feed, "feed.heartbeatMs", 15_000, 100, 300_000),
      bool(metrics, "metrics.enabled", true),
      cluster(section(json, "cluster", false)),
      bridge(section(json, "bridge", false)),
      jwt(section(json, "auth", false)),
      integer(limits, "limits.holdsPerSecond", 0, 0, 1_000_000),
      integer(limits, "limits.burst", 0, 0, 1_000_000),
      idleTimeout(http, feed),
      integer(feed, "feed.maxSubscribers", 10_000, 1, 1_000_000));
  }

  /** No idle timeout shorter than the feed's heartbeat, which keeps its connections busy. */
  private static int idleTimeout(JsonObject http, JsonObject feed) {
    int seconds = integer(http, "http.idleTimeoutSeconds", 60, 1, 86_400);
    if (seconds * 1000L <= integer(feed, "feed.heartbeatMs", 15_000, 100, 300_000)) {
      throw new ConfigException("http.idleTimeoutSeconds: must be longer than feed.heartbeatMs, or idle live feeds "
        + "would be cut; got " + seconds);
    }
    return seconds;
  }

  /** {@code auth.jwt}: absent or null for the lab mode (the body's userId is the user). */
  private static JwtSettings jwt(JsonObject auth) {
    Object value = auth.getValue("jwt");
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject jwt)) {
      throw new ConfigException("auth.jwt: must be an object, or null for no authentication");
    }
    Object algorithm = jwt.getValue("algorithm", "RS256");
    if (!"RS256".equals(algorithm) && !"ES256".equals(algorithm)) {
      throw new ConfigException("auth.jwt.algorithm: must be RS256 or ES256, got " + algorithm);
    }
    String pem;
    if (jwt.getValue("publicKeyPem") instanceof String inline) {
      pem = inline;
    } else if (jwt.getValue("publicKeyFile") instanceof String file) {
      try {
        pem = Files.readString(Path.of(file));
      } catch (IOException e) {
        throw new ConfigException("auth.jwt.publicKeyFile: cannot read " + file + ": " + e.getMessage());
      }
    } else {
      throw new ConfigException("auth.jwt: needs publicKeyFile or publicKeyPem, a PEM public key");
    }
    if (!JwtSettings.isPublicKey(pem, (String) algorithm)) {
      throw new ConfigException("auth.jwt: the key is not a PEM public key for " + algorithm
        + " (RS256: an RSA key, ES256: an EC P-256 key)");
    }
    for (String claim : List.of("issuer", "audience")) {
      Object given = jwt.getValue(claim);
      if (given != null && (!(given instanceof String s) || s.isBlank())) {
        throw new ConfigException("auth.jwt." + claim + ": must be a non-empty string, or null");
      }
    }
    return new JwtSettings(pem, (String) algorithm, jwt.getString("issuer"), jwt.getString("audience"));
  }

  private static ClusterSettings cluster(JsonObject cluster) {
    ClusterSettings off = ClusterSettings.OFF;
    return new ClusterSettings(
      bool(cluster, "cluster.enabled", off.enabled()),
      host(cluster, "cluster.host", off.host()),
      integer(cluster, "cluster.memberPort", off.memberPort(), 1, 65535),
      strings(cluster, "cluster.members", "host:port", Config::isHostAndPort),
      integer(cluster, "cluster.busPort", off.busPort(), 0, 65535));
  }

  private static BridgeSettings bridge(JsonObject bridge) {
    Integer port = bridge.getValue("port") == null ? null : integer(bridge, "bridge.port", 0, 1, 65535);
    List<String> inbound = strings(bridge, "bridge.inbound", "event-bus address", a -> a.startsWith("boxoffice."));
    List<String> outbound = strings(bridge, "bridge.outbound", "event-bus address", a -> a.startsWith("boxoffice."));
    return new BridgeSettings(port, host(bridge, "bridge.host", "127.0.0.1"),
      bridge.containsKey("inbound") ? inbound : BRIDGE_INBOUND,
      bridge.containsKey("outbound") ? outbound : Addresses.DOMAIN_EVENTS);
  }

  private static String host(JsonObject section, String key, String defaultValue) {
    Object value = section.getValue(key.substring(key.indexOf('.') + 1));
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String s) || !s.matches("[A-Za-z0-9.:-]{1,253}")) {
      throw new ConfigException(key + ": must be a host name or IP address, got " + value);
    }
    return s;
  }

  private static List<String> strings(JsonObject section, String key, String what, Predicate<String> valid) {
    Object value = section.getValue(key.substring(key.indexOf('.') + 1));
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(key + ": must be an array of " + what + " strings");
    }
    List<String> strings = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s) || !valid.test(s)) {
        throw new ConfigException(key + ": '" + item + "' is not a " + what);
      }
      strings.add(s);
    }
    return List.copyOf(strings);
  }

  private static boolean isHostAndPort(String s) {
    int colon = s.lastIndexOf(':');
    if (colon < 1 || !s.substring(0, colon).matches("[A-Za-z0-9.-]{1,253}")) {
      return false;
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      return port > 0 && port < 65536;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static JsonObject section(JsonObject json, String name, boolean required) {
    Object value = json.getValue(name);
    if (value == null && !required) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject section)) {
      throw new ConfigException(name + ": " + (value == null ? "required section is missing" : "must be an object"));
    }
    return section;
  }

  private static boolean bool(JsonObject section, String key, boolean defaultValue) {
    Object value = section.getValue(key.substring(key.indexOf('.') + 1));
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean b)) {
      throw new ConfigException(key + ": must be true or false, got " + value);
    }
    return b;
  }

  private static int integer(JsonObject section, String key, int defaultValue, int min, int max) {
    Object value = section.getValue(key.substring(key.indexOf('.') + 1));
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
      || ((Number) value).longValue() > max) {
      throw new ConfigException(key + ": must be an integer from " + min + " to " + max + ", got " + value);
    }
    return ((Number) value).intValue();
  }
}
