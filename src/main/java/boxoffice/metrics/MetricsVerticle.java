package boxoffice.metrics;

import boxoffice.bus.Addresses;
import boxoffice.bus.Failure;
import boxoffice.bus.PublishedEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's metrics, taken from the event bus so that no business code has to call them:
 * hold commands by answer ({@link HoldOutcomes}), the domain events this process publishes as
 * {@link PublishedEvents} counts them (holds confirmed, cancelled, expired; waitlist joins,
 * promotions, leaves), and the live feed's subscribers.
 * Answers {@link #SCRAPE} with the whole registry in Prometheus' text format.
 */
public final class MetricsVerticle extends VerticleBase {

  /** Local request without a body: replies this process's metrics in Prometheus' text format. */
  public static final String SCRAPE = "boxoffice.metrics.scrape";

  private static final long UNANSWERED_MS = 60_000;

  private final PrometheusMeterRegistry registry;
  private final PublishedEvents published;
  private final DeliveryOptions local = new DeliveryOptions().setLocalOnly(true).setSendTimeout(2000);
  private final AtomicLong feedSubscribers = new AtomicLong();
  private final AtomicLong feedEvents = new AtomicLong();
  private HoldOutcomes holds;

  public MetricsVerticle(PrometheusMeterRegistry registry, PublishedEvents published) {
    this.registry = registry;
    this.published = published;
  }

  @Override
  public Future<?> start() {
    holds = new HoldOutcomes(registry);
    vertx.eventBus().addOutboundInterceptor(holds);
    vertx.setPeriodic(UNANSWERED_MS, id -> holds.forgetUnanswered(TimeUnit.MILLISECONDS.toNanos(UNANSWERED_MS)));
    Gauge.builder("boxoffice.feed.subscribers", feedSubscribers, AtomicLong::get)
      .description("Open change-feed connections (GET /events/{id}/changes) of this process")
      .register(registry);
    Gauge.builder("boxoffice.feed.events", feedEvents, AtomicLong::get)
      .description("Events whose change log this process reads for its feed subscribers")
      .register(registry);
    ended("confirmed", Addresses.RESERVATION_CONFIRMED);
    ended("cancelled", Addresses.RESERVATION_CANCELLED);
    ended("expired", Addresses.RESERVATION_EXPIRED);
    waitlist("joined", Addresses.WAITLIST_JOINED);
    waitlist("promoted", Addresses.WAITLIST_PROMOTED);
    waitlist("left", Addresses.WAITLIST_LEFT);
    return Future.all(List.of(
      vertx.eventBus().<JsonObject>localConsumer(Addresses.DRIFT, refused -> drift(refused.body().getString("script"))
        .increment()).completion(),
      vertx.eventBus().localConsumer(SCRAPE, this::scrape).completion()));
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().removeOutboundInterceptor(holds);
    return Future.succeededFuture();
  }

  /** Domain events are published by the process whose script made the change: each counts once here. */
  private void ended(String status, String address) {
    FunctionCounter.builder("boxoffice.holds.ended", published, events -> events.count(address)).tag("status", status)
      .description("Pending holds that ended, by the reservation's new status; expired ones were released "
        + "by the sweeper or by the next change of their event")
      .register(registry);
  }

  private void waitlist(String change, String address) {
    FunctionCounter.builder("boxoffice.waitlist.changes", published, events -> events.count(address)).tag("change", change)
      .description("Waitlist entries joined, promoted to a pending hold, or left")
      .register(registry);
  }

  private Counter drift(String script) {
    return Counter.builder("boxoffice.drift").tag("script", script)
      .description("Changes refused because the event's records disagreed with each other (a counter, a seat, "
        + "the free bitmap); each is also logged as an error")
      .register(registry);
  }

  /** The feed figures are read at scrape time; rendering runs off the event loop, it grows with the registry. */
  private void scrape(Message<Object> request) {
    vertx.eventBus().<JsonObject>request(Addresses.FEED_STATS, null, local)
      .onSuccess(stats -> feed(stats.body().getJsonObject("events")))
      .otherwiseEmpty()
      .compose(fresh -> vertx.executeBlocking(registry::scrape, false))
      .onSuccess(request::reply)
      .onFailure(err -> Failure.INTERNAL.fail(request, "internal", "the metrics could not be rendered: " + err));
  }

  private void feed(JsonObject subscribersByEvent) {
    long subscribers = 0;
    for (String eventId : subscribersByEvent.fieldNames()) {
      subscribers += subscribersByEvent.getInteger(eventId);
    }
    feedSubscribers.set(subscribers);
    feedEvents.set(subscribersByEvent.size());
  }
}
