package boxoffice.metrics;

import boxoffice.bus.Addresses;
import boxoffice.bus.CommandFailure;
import boxoffice.bus.Failure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counts hold commands by their answer. A hold is a request on the event bus and its answer a reply
 * to a one-off address, so this outbound interceptor notes the reply address of every hold it sees
 * leave, and classifies what is later sent to that address: the reservation, or the failure.
 * An idempotent replay counts as the answer it repeats.
 */
final class HoldOutcomes implements Handler<DeliveryContext<Object>> {

  private static final List<String> OUTCOMES = List.of("created", "conflict", "insufficient", "invalid", "not_found",
    "idempotency_mismatch", "unavailable", "error", "unanswered");

  private final Map<String, Counter> counters = new HashMap<>();
  /** Reply address of a hold in flight -> when it left (System.nanoTime). */
  private final ConcurrentMap<String, Long> awaiting = new ConcurrentHashMap<>();

  HoldOutcomes(MeterRegistry registry) {
    for (String outcome : OUTCOMES) {
      counters.put(outcome, Counter.builder("boxoffice.holds").tag("outcome", outcome)
        .description("Hold commands by answer: created; conflict (seats taken) or insufficient (too few "
          + "free seats); invalid, not_found, idempotency_mismatch; unavailable (shard failing over)")
        .register(registry));
    }
  }

  @Override
  public void handle(DeliveryContext<Object> ctx) {
    Message<Object> message = ctx.message();
    if (Addresses.RESERVATION_HOLD.equals(message.address())) {
      if (message.replyAddress() != null) {
        awaiting.put(message.replyAddress(), System.nanoTime());
      }
    } else if (ctx.send() && !awaiting.isEmpty() && awaiting.remove(message.address()) != null) {
      counters.get(outcome(ctx.body())).increment();
    }
    ctx.next();
  }

  /** Counts and forgets the holds sent over {@code nanos} ago that never got an answer (their handler died). */
  void forgetUnanswered(long nanos) {
    long now = System.nanoTime();
    awaiting.forEach((address, sent) -> {
      if (now - sent > nanos && awaiting.remove(address, sent)) {
        counters.get("unanswered").increment();
      }
    });
  }

  static String outcome(Object reply) {
    if (!(reply instanceof ReplyException failure)) {
      return "created";
    }
    return switch (Failure.of(failure.failureCode())) {
      case CONFLICT -> "insufficient".equals(problemType(failure)) ? "insufficient" : "conflict";
      case INVALID -> "invalid";
      case NOT_FOUND -> "not_found";
      case MISMATCH -> "idempotency_mismatch";
      case UNAVAILABLE -> "unavailable";
      case FORBIDDEN, INTERNAL -> "error";
    };
  }

  private static String problemType(ReplyException failure) {
    return failure instanceof CommandFailure command ? command.problem().getString("type") : null;
  }
}
