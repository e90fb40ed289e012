package boxoffice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import boxoffice.redis.ClusterConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;

/**
 * Serving commands on the event bus: a handler per address that answers a JSON object (or JSON
 * already rendered, {@link RenderedJson}), and one mapping of whatever went wrong to a {@link Failure}.
 */
public final class Commands {

  private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

  public record Handler(String address, Function<JsonObject, Future<?>> command) {
  }

  private Commands() {
  }

  public static Handler of(String address, Function<JsonObject, Future<?>> command) {
    return new Handler(address, command);
  }

  /** Registers every handler; the future completes once all registrations have reached the bus. */
  public static Future<Void> serve(EventBus bus, List<Handler> handlers) {
    return Future.all(handlers.stream()
      .map(h -> bus.<JsonObject>consumer(h.address(), msg -> answer(msg, h.command())).completion())
      .toList()).mapEmpty();
  }

  /** The same for commands the process sends itself only: another member of a cluster never sees them. */
  public static Future<Void> serveLocally(EventBus bus, List<Handler> handlers) {
    return Future.all(handlers.stream()
      .map(h -> bus.<JsonObject>localConsumer(h.address(), msg -> answer(msg, h.command())).completion())
      .toList()).mapEmpty();
  }

  private static void answer(Message<JsonObject> msg, Function<JsonObject, Future<?>> command) {
    Future<?> result;
    try {
      result = command.apply(msg.body());
    } catch (IllegalArgumentException e) {
      result = Future.failedFuture(Failure.INVALID.exception(problem("invalid", e.getMessage())));
    }
    result.onSuccess(value -> msg.reply(value, value instanceof JsonObject ? Handover.replyOptions(msg)
      : new DeliveryOptions())).onFailure(err -> {
      if (err instanceof ReplyException failure) { // ours, or a command's own request that failed
        msg.reply(failure);
      } else if (!ClusterConnection.isTransient(err)) {
        LOG.error("Redis refused a command", err);
        Failure.INTERNAL.fail(msg, "internal", "the store refused the command");
      } else {
        // what failed (a node's address, a socket error) is for the log, not for clients
        LOG.debug("A command could not reach its shard: {}", err.getMessage());
        Failure.UNAVAILABLE.fail(msg, "unavailable", "the event's data cannot be reached right now (a node is "
          + "failing over or restarting); nothing was changed, retry in a moment");
      }
    });
  }

  public static <T> Future<T> notFound(String detail) {
    return Future.failedFuture(Failure.NOT_FOUND.exception(problem("not-found", detail)));
  }

  private static JsonObject problem(String type, String detail) {
    return new JsonObject().put("type", type).put("detail", detail);
  }
}
