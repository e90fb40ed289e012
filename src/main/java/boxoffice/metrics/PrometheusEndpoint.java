package boxoffice.metrics;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /metrics}: this process's metrics in Prometheus' text format; 404 when metrics are off. */
public final class PrometheusEndpoint {

  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);

  private PrometheusEndpoint() {
  }

  public static void handle(RoutingContext ctx) {
    ctx.vertx().eventBus().<String>request(MetricsVerticle.SCRAPE, null, LOCAL)
      .onSuccess(reply -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(reply.body()))
      .onFailure(err -> {
        // no MetricsVerticle: the service runs without metrics
        if (err instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS) {
          ctx.fail(404);
        } else {
          ctx.fail(err);
        }
      });
  }
}
