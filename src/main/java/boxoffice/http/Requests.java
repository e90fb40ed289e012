package boxoffice.http;

import boxoffice.Config;
import boxoffice.store.EventCursor;
import boxoffice.store.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns requests into commands, or into a 400 that names what is wrong. Nothing invalid goes further. */
final class Requests {

  static final int MAX_SEATS_PER_EVENT = 100_000;
  static final int DEFAULT_PAGE = 20;
  static final int MAX_PAGE = 100;
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  private Requests() {
  }

  static JsonObject body(RoutingContext ctx) {
    if (ctx.body().isEmpty()) {
      throw Problem.badRequest("a JSON object body is required");
    }
    JsonObject json;
    try {
      json = ctx.body().asJsonObject();
    } catch (ClassCastException e) {
      json = null;
    }
    if (json == null) { // JSON, but another value than an object: null, an array, a string, a number
      throw Problem.badRequest("the body must be a JSON object");
    }
    return json;
  }

  static String pathId(RoutingContext ctx, String name) {
    String id = ctx.pathParam(name);
    if (!Ids.valid(id)) {
      throw Problem.badRequest(name + " must match " + Ids.PATTERN);
    }
    return id;
  }

  static JsonObject createEvent(JsonObject body, Config config) {
    String id = body.containsKey("id") ? id(body, "id") : Ids.random();
    JsonObject cmd = new JsonObject()
      .put("id", id)
      .put("name", text(body, "name"))
      .put("venue", text(body, "venue"))
      .put("price", price(body))
      .put("holdSeconds", body.containsKey("holdSeconds")
        ? integer(body, "holdSeconds", 1, 86400) : config.holdSeconds());
    if (body.containsKey("endsAt")) {
      cmd.put("endsAt", endsAt(body));
    }
    boolean grid = body.containsKey("rows") || body.containsKey("seatsPerRow");
    if (grid == body.containsKey("seatIds")) {
      throw Problem.badRequest("give either rows and seatsPerRow, or seatIds");
    }
    if (grid) {
      int rows = integer(body, "rows", 1, MAX_SEATS_PER_EVENT);
      int perRow = integer(body, "seatsPerRow", 1, MAX_SEATS_PER_EVENT);
      if ((long) rows * perRow > MAX_SEATS_PER_EVENT) {
        throw Problem.badRequest("rows x seatsPerRow must be at most " + MAX_SEATS_PER_EVENT + " seats");
      }
      return cmd.put("rows", rows).put("seatsPerRow", perRow);
    }
    return cmd.put("seatIds", seatIds(body, "seatIds", MAX_SEATS_PER_EVENT));
  }

  /** A hold of {@code user} (see Access#user), from the request's body and Idempotency-Key. */
  static JsonObject hold(RoutingContext ctx, JsonObject body, String eventId, String user, Config config) {
    JsonObject cmd = new JsonObject().put("eventId", eventId).put("userId", user);
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null) {
      if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
        throw Problem.badRequest("Idempotency-Key must match " + IDEMPOTENCY_KEY.pattern());
      }
      cmd.put("idempotencyKey", key);
    }
    if (body.containsKey("seats") == body.containsKey("quantity")) {
      throw Problem.badRequest("give either seats or quantity");
    }
    return body.containsKey("seats")
      ? cmd.put("seats", seatIds(body, "seats", config.maxSeatsPerHold()))
      : cmd.put("quantity", integer(body, "quantity", 1, config.maxSeatsPerHold()));
  }

  static JsonObject joinWaitlist(JsonObject body, String eventId, String user, Config config) {
    return new JsonObject()
      .put("eventId", eventId)
      .put("userId", user)
      .put("quantity", integer(body, "quantity", 1, config.maxSeatsPerHold()));
  }

  /** {@code GET /events?limit=N&cursor=C}: limit 1..100 (default 20), the cursor as a page's next gave it. */
  static JsonObject listEvents(RoutingContext ctx) {
    JsonObject cmd = new JsonObject().put("limit", DEFAULT_PAGE);
    String limit = query(ctx, "limit");
    if (limit != null) {
      if (limit.isEmpty() || limit.length() > 3 || !limit.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_PAGE) {
        throw Problem.badRequest("limit must be an integer from 1 to " + MAX_PAGE);
      }
      cmd.put("limit", Integer.parseInt(limit));
    }
    String cursor = query(ctx, "cursor");
    if (cursor != null) {
      if (EventCursor.parse(cursor) == null) {
        throw Problem.badRequest("cursor must be the next of an earlier page, such as 1764264600000.gala");
      }
      cmd.put("cursor", cursor);
    }
    return cmd;
  }

  /** A query parameter given at most once; null when absent. */
  private static String query(RoutingContext ctx, String name) {
    var values = ctx.queryParam(name);
    if (values.size() > 1) {
      throw Problem.badRequest(name + " must be given at most once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** Confirm or cancel: the reservation's owner in the body. */
  static JsonObject endHold(RoutingContext ctx, String eventId, String user) {
    return new JsonObject()
      .put("eventId", eventId)
      .put("reservationId", pathId(ctx, "reservationId"))
      .put("userId", user);
  }

  static String id(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || !Ids.valid(s)) {
      throw Problem.badRequest(field + " is required and must match " + Ids.PATTERN);
    }
    return s;
  }

  private static String text(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || s.isBlank() || s.length() > 200) {
      throw Problem.badRequest(field + " is required, 1 to 200 characters");
    }
    return s;
  }

  /** An ISO-8601 instant in the future, within ten years: when the event's sale closes for good. */
  private static String endsAt(JsonObject body) {
    Object value = body.getValue("endsAt");
    Instant endsAt;
    try {
      endsAt = value instanceof String s ? Instant.parse(s) : null;
    } catch (DateTimeParseException e) {
      endsAt = null;
    }
    Instant now = Instant.now();
    if (endsAt == null || !endsAt.isAfter(now) || endsAt.isAfter(now.plus(3653, ChronoUnit.DAYS))) {
      throw Problem.badRequest("endsAt must be an ISO-8601 instant (2027-06-30T22:00:00Z) in the next ten years");
    }
    return endsAt.toString();
  }

  private static BigDecimal price(JsonObject body) {
    Object value = body.getValue("price");
    if (!(value instanceof Number n) || value instanceof Double d && !Double.isFinite(d)) {
      throw Problem.badRequest("price is required and must be a number"); // 1e400 reads as infinity
    }
    BigDecimal price = new BigDecimal(n.toString());
    if (price.signum() < 0) {
      throw Problem.badRequest("price must not be negative");
    }
    return price;
  }

  private static int integer(JsonObject body, String field, int min, int max) {
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
      || ((Number) value).longValue() > max) {
      throw Problem.badRequest(field + " must be an integer from " + min + " to " + max);
    }
    return ((Number) value).intValue();
  }

  /** A non-empty array of distinct seat ids; duplicates are named. */
  private static JsonArray seatIds(JsonObject body, String field, int max) {
    Object value = body.getValue(field);
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > max) {
      throw Problem.badRequest(field + " must be an array of 1 to " + max + " seat ids");
    }
    Set<String> seen = new LinkedHashSet<>();
    Set<String> duplicates = new LinkedHashSet<>();
    for (Object seat : array) {
      if (!(seat instanceof String s) || !Ids.valid(s)) {
        throw Problem.badRequest(field + " must hold seat ids matching " + Ids.PATTERN);
      }
      if (!seen.add(s)) {
        duplicates.add(s);
      }
    }
    if (!duplicates.isEmpty()) {
      throw Problem.of(400, "duplicate-seats", field + " names seats more than once")
        .with("duplicates", new JsonArray(duplicates.stream().toList()));
    }
    return array;
  }
}
