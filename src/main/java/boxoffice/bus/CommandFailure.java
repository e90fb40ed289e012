package boxoffice.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * A command's failure with its problem as JSON. Replied as it is, it reaches the HTTP verticle as the
 * same object (the bus passes failures on without a copy), so the problem is not written out as text
 * and parsed back for every refused hold; its message is that text for whoever reads it as a plain
 * {@link ReplyException}.
 */
public final class CommandFailure extends ReplyException {

  private final JsonObject problem;
  private String message;

  CommandFailure(Failure failure, JsonObject problem) {
    super(ReplyFailure.RECIPIENT_FAILURE, failure.code, null);
    this.problem = problem;
  }

  /** The problem: {@code type}, {@code detail} and the members the client needs; not to be changed. */
  public JsonObject problem() {
    return problem;
  }

  @Override
  public String getMessage() {
    if (message == null) {
      message = problem.encode();
    }
    return message;
  }
}
