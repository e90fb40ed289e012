package boxoffice.tools;

import boxoffice.Config;
import boxoffice.Config.ConfigException;
import boxoffice.bus.Addresses;
import boxoffice.cluster.ClusterSettings;
import boxoffice.cluster.ServiceCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A consumer of the service's domain events in a process of its own:
 * {@code java -cp boxoffice.jar boxoffice.tools.EventTail -conf FILE} joins the cluster of FILE's
 * {@code cluster} section (as a lite member on its own {@code memberPort}: it keeps none of the
 * cluster's data) and prints every domain event published anywhere in the cluster, one JSON object a
 * line on stdout, as it was published ({@code type}, {@code eventId}, ...). Logs go to stderr.
 */
public final class EventTail {

  static {
    // before any logger exists: stdout is for the events only
    System.setProperty("logback.configurationFile", "logback-stderr.xml");
  }

  private static final Logger LOG = LoggerFactory.getLogger(EventTail.class);

  private EventTail() {
  }

  public static void main(String[] args) {
    ClusterSettings cluster;
    try {
      cluster = Config.loadCluster(confPath(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("event-tail: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (!cluster.enabled()) {
      System.err.println("event-tail: configuration error: cluster.enabled: must be true, the tail joins the "
        + "service's cluster (BOXOFFICE_CLUSTER_ENABLED=true)");
      System.exit(2);
      return;
    }
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread printer = new Thread(() -> print(lines), "event-tail-stdout");
    printer.setDaemon(true);
    printer.start();
    ServiceCluster.join(Vertx.builder().with(ServiceCluster.options(new VertxOptions(), cluster)), cluster, true)
      .compose(vertx -> Future.all(Addresses.DOMAIN_EVENTS.stream()
          .map(address -> vertx.eventBus().<JsonObject>consumer(address, event -> lines.add(event.body().encode()))
            .completion())
          .toList())
        .onSuccess(listening -> {
          LOG.info("EventTail: listening to {} domain-event addresses as cluster member {}",
            Addresses.DOMAIN_EVENTS.size(), ServiceCluster.member(vertx));
          Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close(), "event-tail-shutdown"));
        }))
      .onFailure(err -> {
        LOG.error("EventTail failed to join the cluster: {}", err.getMessage(), err);
        System.exit(1);
      });
  }

  /** Writes the lines as they come, off the event loop: a slow reader of stdout never blocks it. */
  private static void print(BlockingQueue<String> lines) {
    try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))) {
      while (true) {
        out.write(lines.take());
        out.newLine();
        if (lines.isEmpty()) {
          out.flush();
        }
      }
    } catch (IOException | InterruptedException e) {
      LOG.error("EventTail cannot write to stdout: {}", e.toString());
    }
  }

  private static Path confPath(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        return Path.of(args[i + 1]);
      }
    }
    throw new ConfigException("no configuration file given: use -conf FILE (its cluster section is used)");
  }
}
