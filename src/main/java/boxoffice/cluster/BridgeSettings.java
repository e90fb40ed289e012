package boxoffice.cluster;

import java.util.List;

/**
 * The {@code bridge} section: the TCP event-bus bridge for programs that are not on the JVM, off
 * while {@code port} is null. {@code inbound}: the addresses they may send to; {@code outbound}: the
 * addresses they may receive from.
 */
public record BridgeSettings(Integer port, String host, List<String> inbound, List<String> outbound) {

  public boolean enabled() {
    return port != null;
  }
}
