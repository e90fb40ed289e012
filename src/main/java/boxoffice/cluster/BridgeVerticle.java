package boxoffice.cluster;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;

/**
 * The TCP event-bus bridge, for programs that are not on the JVM: frames of a 4-byte length and a
 * JSON object ({@code register}, {@code send}, {@code publish}; {@code message} and {@code err}
 * back). Only the addresses of {@code bridge.inbound} may be sent to (by default the commands that
 * only read) and only those of {@code bridge.outbound} listened to (by default the domain events);
 * anything else is refused with {@code access_denied}.
 */
public final class BridgeVerticle extends VerticleBase {

  private final BridgeSettings settings;
  private TcpEventBusBridge bridge;

  public BridgeVerticle(BridgeSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    BridgeOptions options = new BridgeOptions();
    settings.inbound().forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    settings.outbound().forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    return TcpEventBusBridge.create(vertx, options).listen(settings.port(), settings.host())
      .onSuccess(listening -> bridge = listening);
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
