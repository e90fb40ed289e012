package boxoffice.redis;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.net.NetClientInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.Metrics;
import io.netty.handler.flush.FlushConsolidationHandler;

import java.time.Duration;

/**
 * The {@code Vertx} handed to the Redis client: every socket the client opens, to a seed, to a node
 * found in the slot map or to a MOVED/ASK target, goes through {@code createNetClient}, so rewriting
 * the remote address there reaches all of them without touching the client. The sockets it opens through
 * {@code connectInternal}, which is how the client connects, also batch their flushes (see
 * {@link RemappingNetClient#batchFlushes}).
 */
final class RemappingVertx extends VertxWrapper {

  private final AddressMap addressMap;

  RemappingVertx(VertxInternal delegate, AddressMap addressMap) {
    super(delegate);
    this.addressMap = addressMap;
  }

  @Override
  public NetClient createNetClient(NetClientOptions options) {
    return new RemappingNetClient((NetClientInternal) delegate.createNetClient(options), addressMap);
  }

  private record RemappingNetClient(NetClientInternal delegate, AddressMap addressMap) implements NetClientInternal {

    private static final int MAX_UNFLUSHED = 256;

    private ConnectOptions remap(ConnectOptions options) {
      SocketAddress announced = options.getRemoteAddress() != null
        ? options.getRemoteAddress()
        : SocketAddress.inetSocketAddress(options.getPort(), options.getHost());
      return new ConnectOptions(options).setRemoteAddress(addressMap.apply(announced));
    }

    @Override
    public void connectInternal(ConnectOptions options, Promise<NetSocket> promise, ContextInternal context) {
      Promise<NetSocket> connected = context.promise();
      connected.future().onSuccess(RemappingNetClient::batchFlushes).onComplete(promise);
      delegate.connectInternal(remap(options), connected, context);
    }

    /**
     * The client flushes after every command, one write(2) each; with many requests in flight, the
     * commands sent while the event loop runs one batch of tasks go out in one write instead.
     */
    private static void batchFlushes(NetSocket socket) {
      if (socket instanceof NetSocketInternal internal) {
        internal.channelHandlerContext().pipeline().addFirst(new FlushConsolidationHandler(MAX_UNFLUSHED, true));
      }
    }

    @Override
    public Future<NetSocket> connect(ConnectOptions options) {
      return delegate.connect(remap(options));
    }

    @Override
    public Future<NetSocket> connect(SocketAddress remoteAddress) {
      return connect(new ConnectOptions().setRemoteAddress(remoteAddress));
    }

    @Override
    public Future<NetSocket> connect(SocketAddress remoteAddress, String serverName) {
      return connect(new ConnectOptions().setRemoteAddress(remoteAddress).setSniServerName(serverName));
    }

    @Override
    public Future<NetSocket> connect(int port, String host) {
      return connect(SocketAddress.inetSocketAddress(port, host));
    }

    @Override
    public Future<NetSocket> connect(int port, String host, String serverName) {
      return connect(SocketAddress.inetSocketAddress(port, host), serverName);
    }

    @Override
    public Future<Void> closeFuture() {
      return delegate.closeFuture();
    }

    @Override
    public Future<Void> shutdown(Duration timeout) {
      return delegate.shutdown(timeout);
    }

    @Override
    public Future<Boolean> updateSSLOptions(ClientSSLOptions options, boolean force) {
      return delegate.updateSSLOptions(options, force);
    }

    @Override
    public void close(Completable<Void> completion) {
      delegate.close(completion);
    }

    @Override
    public Metrics getMetrics() {
      return delegate.getMetrics();
    }

    @Override
    public boolean isMetricsEnabled() {
      return delegate.isMetricsEnabled();
    }
  }
}
