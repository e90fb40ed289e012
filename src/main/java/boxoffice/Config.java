package boxoffice;

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

/**
 * The service's configuration: a JSON file ({@code conf/*.json}), then environment overrides for the
 * common keys. Anything wrong stops the start with a {@link ConfigException} naming the key.
 */
public record Config(int httpPort, int instances, RedisSettings redis, String adminApiKey,
                     int holdSeconds, int maxSeatsPerHold, long soldOutMs, long sweeperIntervalMs, long sweeperReconcileMs,
                     long feedPollMs, long feedHeartbeatMs, boolean metricsEnabled) {

  /** Environment variable -> configuration key it overrides. */
  static final Map<String, String> ENV = Map.of(
    "BOXOFFICE_HTTP_PORT", "http.port",
    "BOXOFFICE_REDIS_NODES", "redis.nodes",
    "BOXOFFICE_REDIS_MAX_POOL_SIZE", "redis.maxPoolSize",
    "BOXOFFICE_ADMIN_API_KEY", "admin.apiKey",
    "BOXOFFICE_HOLD_SECONDS", "hold.seconds",
    "BOXOFFICE_HOLD_MAX_SEATS", "hold.maxSeatsPerHold",
    "BOXOFFICE_SWEEPER_INTERVAL_MS", "sweeper.intervalMs",
    "BOXOFFICE_METRICS_ENABLED", "metrics.enabled");

  public static final class ConfigException extends RuntimeException {
    ConfigException(String message) {
      super(message);
    }
  }

  public static Config load(Path file, Map<String, String> env) {
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
    return fromJson(json);
  }

  private static void override(JsonObject json, String key, String value) {
    String[] path = key.split("\\.");
    JsonObject section = json.getJsonObject(path[0]);
    if (section == null) {
      section = new JsonObject();
      json.put(path[0], section);
    }
    Object parsed = switch (key) {
      case "redis.nodes" -> new JsonArray(Arrays.stream(value.split(",")).map(String::trim).toList());
      case "admin.apiKey" -> value;
      case "metrics.enabled" -> parseBoolean(key, value);
      default -> parseNumber(key, value);
    };
    section.put(path[1], parsed);
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
      integer(hold, "hold.soldOutMs", 50, 0, 10_000),
      integer(sweeper, "sweeper.intervalMs", 1000, 10, 3_600_000),
      integer(sweeper, "sweeper.reconcileMs", 60_000, 100, 86_400_000),
      integer(feed, "feed.pollMs", 100, 5, 10_000),
      integer(feed, "feed.heartbeatMs", 15_000, 100, 300_000),
      bool(metrics, "metrics.enabled", true));
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
