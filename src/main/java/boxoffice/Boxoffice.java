package boxoffice;

import boxoffice.bus.Handover;
import boxoffice.bus.PublishedEvents;
import boxoffice.bus.RenderedJson;
import boxoffice.cluster.BridgeVerticle;
import boxoffice.http.HttpVerticle;
import boxoffice.metrics.MetricsVerticle;
import boxoffice.redis.ClusterHealthVerticle;
import boxoffice.redis.RedisCluster;
import boxoffice.reservation.ConfirmVerticle;
import boxoffice.reservation.ExpirySweeperVerticle;
import boxoffice.reservation.ReservationVerticle;
import boxoffice.waitlist.WaitlistPromotionVerticle;
import boxoffice.waitlist.WaitlistVerticle;
import boxoffice.feed.ChangeFeedVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The whole service in one Vert.x instance: the Redis client and every verticle. */
public final class Boxoffice {

  private final Vertx vertx;
  private final RedisCluster redis;
  private final HttpVerticle.Shared http;
  private final String httpDeployment;

  private Boxoffice(Vertx vertx, RedisCluster redis, HttpVerticle.Shared http, String httpDeployment) {
    this.vertx = vertx;
    this.redis = redis;
    this.http = http;
    this.httpDeployment = httpDeployment;
  }

  /** Deploys the service without metrics ({@code GET /metrics} answers 404). */
  public static Future<Boxoffice> deploy(Vertx vertx, Config config) {
    return deploy(vertx, config, null);
  }

  /**
   * Deploys the service; the HTTP verticles come last, so nothing is served before it can be answered.
   * With a {@code registry} (the one {@code vertx} reports to, see {@link boxoffice.metrics.Metrics}),
   * the application's metrics go there too, first, so that they see every change.
   */
  public static Future<Boxoffice> deploy(Vertx vertx, Config config, PrometheusMeterRegistry registry) {
    RenderedJson.register(vertx.eventBus());
    Handover.register(vertx.eventBus());
    RedisCluster redis = RedisCluster.create(vertx, config.redis());
    HttpVerticle.Shared http = new HttpVerticle.Shared(config);
    DeploymentOptions perCore = new DeploymentOptions().setInstances(config.instances());
    PublishedEvents published = new PublishedEvents();
    return vertx.deployVerticle(published)
      .compose(id -> registry == null
        ? Future.succeededFuture(id)
        : vertx.deployVerticle(new MetricsVerticle(registry, published)))
      .compose(id -> vertx.deployVerticle(() -> new ClusterHealthVerticle(redis), new DeploymentOptions()))
      .compose(id -> vertx.deployVerticle(ReservationVerticle.instances(redis, config.holdSeconds(), config.soldOutMs(),
        config.maxSeatsPerUser()),
        perCore))
      .compose(id -> vertx.deployVerticle(() -> new ConfirmVerticle(redis), new DeploymentOptions()))
      .compose(id -> vertx.deployVerticle(() -> new WaitlistVerticle(redis, config.maxSeatsPerUser()), perCore))
      .compose(id -> vertx.deployVerticle(() -> new WaitlistPromotionVerticle(redis, config.maxSeatsPerUser()),
        new DeploymentOptions()))
      .compose(id -> vertx.deployVerticle(() -> new ExpirySweeperVerticle(redis, config.sweeperIntervalMs(),
        config.sweeperReconcileMs(), config.maxSeatsPerUser()),
        new DeploymentOptions()))
      .compose(id -> vertx.deployVerticle(() -> new ChangeFeedVerticle(redis, config.feedPollMs(), config.jwt() != null),
        new DeploymentOptions()))
      .compose(id -> config.bridge().enabled()
        ? vertx.deployVerticle(new BridgeVerticle(config.bridge()))
        : Future.succeededFuture(id))
      .compose(id -> vertx.deployVerticle(() -> new HttpVerticle(config, http), perCore))
      .map(id -> new Boxoffice(vertx, redis, http, id))
      .recover(err -> redis.close().transform(closed -> Future.failedFuture(err)));
  }

  /** The port the HTTP server listens on (the configured one, or the one picked for port 0). */
  public int httpPort() {
    return http.port();
  }

  /** Stops taking requests and finishes those in flight, then undeploys the rest and closes the client. */
  public Future<Void> close() {
    return vertx.undeploy(httpDeployment)
      .transform(stopped -> Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
      .transform(undeployed -> redis.close());
  }
}
