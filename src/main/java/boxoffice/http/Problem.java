package boxoffice.http;

import boxoffice.bus.CommandFailure;
import boxoffice.bus.Failure;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: the one way errors leave the service ({@code application/problem+json}).
 * This is also the one place where event-bus failure codes become HTTP statuses.
 */
final class Problem extends RuntimeException {

  static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_PREFIX = "urn:boxoffice:problem:";

  final int status;
  final JsonObject body;
  private final Map<String, String> headers = new LinkedHashMap<>();

  /** {@code extensions} becomes the body: the caller hands over an object of its own. */
  private Problem(int status, String type, String detail, JsonObject extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.body = (extensions == null ? new JsonObject() : extensions)
      .put("type", TYPE_PREFIX + type)
      .put("title", HttpResponseStatus.valueOf(status).reasonPhrase())
      .put("status", status)
      .put("detail", detail);
  }

  static Problem of(int status, String type, String detail) {
    return new Problem(status, type, detail, null);
  }

  /** Adds an extension member, such as the seats a request named twice. */
  Problem with(String member, Object value) {
    body.put(member, value);
    return this;
  }

  /** Adds a header to the answer, such as {@code WWW-Authenticate} or {@code Retry-After}. */
  Problem header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  static Problem badRequest(String detail) {
    return of(400, "invalid-request", detail);
  }

  /** A command's failure: its code decides the status, its problem JSON the body. */
  static Problem fromFailure(ReplyException e) {
    return switch (e.failureType()) {
      case RECIPIENT_FAILURE -> {
        JsonObject problem = e instanceof CommandFailure failure ? failure.problem().copy()
          : new JsonObject().put("type", "internal").put("detail", String.valueOf(e.getMessage()));
        String type = (String) problem.remove("type");
        String detail = (String) problem.remove("detail");
        yield new Problem(statusOf(Failure.of(e.failureCode())), type, detail, problem);
      }
      case TIMEOUT, NO_HANDLERS, ERROR -> of(503, "unavailable", "the service cannot answer right now");
    };
  }

  private static int statusOf(Failure failure) {
    return switch (failure) {
      case INVALID -> 400;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case MISMATCH -> 422;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }

  /** Renders whatever made the request fail: a problem, a command failure, bad JSON, or a bare status. */
  static void render(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    Problem problem;
    if (failure instanceof Problem p) {
      problem = p;
    } else if (failure instanceof ReplyException e) {
      problem = fromFailure(e);
    } else if (failure instanceof DecodeException) {
      problem = badRequest("the body is not valid JSON");
    } else {
      problem = statusOnly(ctx.statusCode() > 0 ? ctx.statusCode() : 500);
    }
    if (ctx.response().ended()) {
      return;
    }
    if (problem.status == 503) {
      ctx.response().putHeader("Retry-After", "1");
    }
    problem.headers.forEach(ctx.response()::putHeader);
    ctx.response()
      .setStatusCode(problem.status)
      .putHeader("Content-Type", CONTENT_TYPE)
      .end(problem.body.toBuffer());
  }

  /**
   * A request the server could not even read (its request line or headers over the limits, or
   * malformed): answered as a problem too, before any route; the server then closes the connection.
   */
  static void renderUnreadable(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem = statusOnly(cause instanceof TooLongHttpLineException ? 414
      : cause instanceof TooLongHttpHeaderException ? 431 : 400);
    request.response()
      .setStatusCode(problem.status)
      .putHeader("Content-Type", CONTENT_TYPE)
      .putHeader("Connection", "close")
      .end(problem.body.toBuffer());
  }

  private static Problem statusOnly(int status) {
    return switch (status) {
      case 404 -> of(404, "not-found", "no such resource");
      case 405 -> of(405, "method-not-allowed", "this method is not allowed on this resource");
      case 413 -> of(413, "body-too-large", "the body is over 64 KiB");
      case 415 -> of(415, "unsupported-media-type", "the body must be application/json");
      case 414 -> of(414, "uri-too-long", "the request line is over " + HttpVerticle.MAX_REQUEST_LINE + " characters");
      case 431 -> of(431, "headers-too-large", "the request's headers are over " + HttpVerticle.MAX_HEADERS_BYTES
        + " bytes");
      case 400 -> badRequest("the request is malformed");
      default -> of(status, status >= 500 ? "internal" : "error", HttpResponseStatus.valueOf(status).reasonPhrase());
    };
  }
}
