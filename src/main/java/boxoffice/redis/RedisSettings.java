package boxoffice.redis;

import java.util.List;

/** The {@code redis} section of the configuration. */
public record RedisSettings(List<String> nodes, AddressMap addressMap, int maxPoolSize,
                            int connectTimeoutMs, long commandTimeoutMs) {
}
