package boxoffice.bus;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Counts the domain events this process publishes, by address; the metrics read the counts.
 *
 * <p>Listening to every domain-event address in every process also keeps publishing cheap. Vert.x
 * remembers who listens to an address only while someone does: a publication to an address without a
 * consumer asks the cluster manager (a Hazelcast lookup on a worker thread) on the clustered bus, and
 * builds a "no handlers" failure on the local one, every time. Nothing else in the service listens to
 * {@code reservation.created}, the event of every hold: a clustered instance made 0.79-0.91 x the
 * holds of a plain one until this listened, and as many since (BENCHMARKS.md). The consumers are
 * local: no network hop, and the other processes of a cluster never deliver to them.
 */
public final class PublishedEvents extends VerticleBase {

  private final Map<String, LongAdder> counts = Addresses.DOMAIN_EVENTS.stream()
    .collect(Collectors.toUnmodifiableMap(Function.identity(), address -> new LongAdder()));

  @Override
  public Future<?> start() {
    return Future.all(counts.entrySet().stream()
      .map(count -> vertx.eventBus().localConsumer(count.getKey(), event -> count.getValue().increment()).completion())
      .toList());
  }

  /** How many events this process has published on a domain-event {@code address}. */
  public long count(String address) {
    return counts.get(address).sum();
  }
}
