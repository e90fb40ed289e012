package boxoffice;

import boxoffice.Config.ConfigException;
import boxoffice.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import boxoffice.cluster.ServiceCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code java -jar boxoffice.jar -conf conf/local.json} */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    Config config;
    try {
      config = Config.load(confPath(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("boxoffice: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    // one event loop per core, not Vert.x's two: nothing blocks them, and on a busy machine every
    // extra loop is one more thread for the cores and more hand-offs between the verticles' loops
    int eventLoops = Runtime.getRuntime().availableProcessors();
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(eventLoops);
    if (config.cluster().enabled()) {
      options = ServiceCluster.options(options, config.cluster());
    }
    PrometheusMeterRegistry registry = config.metricsEnabled() ? Metrics.registry() : null;
    VertxBuilder builder = registry == null ? Vertx.builder().with(options) : Metrics.builder(registry, options);
    Future<Vertx> started = config.cluster().enabled()
      ? ServiceCluster.join(builder, config.cluster(), false)
      : Future.succeededFuture(builder.build());
    started
      .onFailure(err -> {
        LOG.error("Boxoffice failed to join its cluster: {}", err.getMessage(), err);
        System.exit(1);
      })
      .onSuccess(vertx -> Boxoffice.deploy(vertx, config, registry)
        .onSuccess(app -> {
          LOG.info("Boxoffice listening on port {} ({} event loops{})", app.httpPort(), eventLoops,
            config.cluster().enabled() ? ", cluster member " + ServiceCluster.member(vertx) : "");
          Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, app), "boxoffice-shutdown"));
        })
        .onFailure(err -> {
          LOG.error("Boxoffice failed to start: {}", err.getMessage(), err);
          vertx.close().onComplete(closed -> System.exit(1));
        }));
  }

  /**
   * On SIGTERM: stop taking requests, let the ones in flight finish, close the connections, then
   * Vert.x, which leaves the cluster when it is in one (the others need not wait to find it gone).
   */
  private static void stop(Vertx vertx, Boxoffice app) {
    try {
      app.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
      LOG.info("Boxoffice stopped");
    } catch (Exception e) {
      LOG.warn("Boxoffice did not stop cleanly: {}", e.toString());
    }
  }

  private static Path confPath(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        return Path.of(args[i + 1]);
      }
    }
    throw new ConfigException("no configuration file given: use -conf FILE (for example -conf conf/local.json)");
  }
}
