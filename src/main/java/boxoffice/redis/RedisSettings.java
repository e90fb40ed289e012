package boxoffice.redis;

import java.util.List;

/**
 * The {@code redis} section of the configuration. A confirmed sale is answered only once
 * {@code confirmReplicas} replicas have it, waiting at most {@code confirmWaitMs}.
 */
public record RedisSettings(List<String> nodes, AddressMap addressMap, int maxPoolSize,
                            int connectTimeoutMs, long commandTimeoutMs, int confirmReplicas, long confirmWaitMs) {
}
