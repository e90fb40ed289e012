package boxoffice.cluster;

import java.util.List;

/**
 * The {@code cluster} section of the configuration: whether this process joins a cluster of
 * Boxoffice instances (and consumers in other processes) on one clustered event bus. {@code host} is
 * the address it binds and publishes for both Hazelcast and the event bus; {@code members} the
 * Hazelcast members ({@code host:port}) it joins through (TCP-IP, never multicast); {@code busPort}
 * 0 picks a free port for the event bus.
 */
public record ClusterSettings(boolean enabled, String host, int memberPort, List<String> members, int busPort) {

  public static final ClusterSettings OFF = new ClusterSettings(false, "127.0.0.1", 5701, List.of(), 0);
}
