package boxoffice.metrics;

import boxoffice.bus.Addresses;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The service's metrics: one Prometheus registry per process, which Vert.x reports its HTTP server,
 * event bus, clients and the JVM to, and {@link MetricsVerticle} the application's counters.
 */
public final class Metrics {

  private Metrics() {
  }

  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A Vert.x that reports to {@code registry} (which gets a filter for the addresses below). Labels
   * are few and bounded: HTTP requests by route template ({@code /events/:eventId}), never by path
   * (see {@link HttpRequestMetrics}); event-bus messages by address, with the addresses made per
   * event folded into one per kind. {@code base}: the other Vert.x options.
   */
  public static Vertx vertx(PrometheusMeterRegistry registry, VertxOptions base) {
    return builder(registry, base).build();
  }

  /** The same, to build yourself ({@code buildClustered()} for a member of a cluster). */
  public static VertxBuilder builder(PrometheusMeterRegistry registry, VertxOptions base) {
    registry.config().meterFilter(foldEventAddresses());
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
      .setEnabled(true)
      // Vert.x keeps backends in a JVM-wide map by name: a name of its own keeps two instances apart
      .setRegistryName("boxoffice-" + UUID.randomUUID())
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      .setJvmMetricsEnabled(true)
      // no EB_SIDE: the service's own messages are local, clustered or not
      .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE,
        Label.EB_ADDRESS, Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME))
      // the Redis client names its pool with a random UUID: one name for it, stable across restarts
      .addLabelMatch(new Match().setDomain(MetricsDomain.NAMED_POOLS).setLabel(Label.POOL_NAME.toString())
        .setType(MatchType.REGEX).setValue("\\p{XDigit}{8}(-\\p{XDigit}{4}){3}-\\p{XDigit}{12}").setAlias("redis"));
    return Vertx.builder()
      .with(new VertxOptions(base).setMetricsOptions(options))
      .withMetrics(new MetricsFactory(registry));
  }

  /**
   * Keeps the named addresses of {@link Addresses} (commands, domain events) and folds the others,
   * which end in an event id ({@code boxoffice.feed.event.gala}), into one per kind ({@code boxoffice.feed.event.*}):
   * one series per event would grow without bound.
   */
  private static MeterFilter foldEventAddresses() {
    Set<String> named = new HashSet<>(constants(Addresses.class));
    named.add(MetricsVerticle.SCRAPE);
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        String address = id.getTag(Label.EB_ADDRESS.toString());
        if (address == null || !address.startsWith("boxoffice.") || named.contains(address)
          || !id.getName().startsWith(MetricsDomain.EVENT_BUS.getPrefix())) {
          return id;
        }
        String kind = address.substring(0, address.lastIndexOf('.') + 1) + "*";
        return id.replaceTags(Tags.of(id.getTagsAsIterable()).and(Label.EB_ADDRESS.toString(), kind));
      }
    };
  }

  private static Set<String> constants(Class<?> holder) {
    Set<String> values = new HashSet<>();
    for (Field field : holder.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        try {
          values.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return values;
  }
}
