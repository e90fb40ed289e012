package boxoffice.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The failures a command can answer with: a code, and a problem, a JSON object with at least
 * {@code type} (a short slug) and {@code detail}, plus whatever the client needs (the seats that were
 * taken, say); always replied as a {@link CommandFailure}. The HTTP verticle maps codes to statuses in
 * one place.
 */
public enum Failure {
  INVALID(1), FORBIDDEN(2), NOT_FOUND(3), CONFLICT(4), MISMATCH(5), UNAVAILABLE(6), INTERNAL(7);

  public final int code;

  Failure(int code) {
    this.code = code;
  }

  public static Failure of(int code) {
    for (Failure f : values()) {
      if (f.code == code) {
        return f;
      }
    }
    return INTERNAL;
  }

  public void fail(Message<?> message, String type, String detail) {
    message.reply(exception(new JsonObject().put("type", type).put("detail", detail)));
  }

  /** A failure to send back as a reply: keeps its code and problem across the event bus. */
  public CommandFailure exception(JsonObject problem) {
    return new CommandFailure(this, problem);
  }
}
