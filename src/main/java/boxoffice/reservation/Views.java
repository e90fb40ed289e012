package boxoffice.reservation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** How events and reservations look in replies and domain events: one mapping per type. */
final class Views {

  private Views() {
  }

  static JsonObject event(Response meta, Response stats, long waitlist) {
    long available = stats.get("available").toLong();
    long pending = stats.get("pending").toLong();
    long sold = stats.get("sold").toLong();
    JsonObject event = new JsonObject()
      .put("id", meta.get("id").toString())
      .put("name", meta.get("name").toString())
      .put("venue", meta.get("venue").toString())
      .put("price", new BigDecimal(meta.get("price").toString()))
      .put("holdSeconds", meta.get("hold_seconds").toInteger())
      .put("totalSeats", meta.get("total_seats").toLong())
      .put("createdAt", instant(meta.get("created_at").toLong()))
      .put("endsAt", meta.get("ends_at") == null ? null : instant(meta.get("ends_at").toLong()))
      .put("available", available)
      .put("held", pending)
      .put("sold", sold)
      .put("waitlist", waitlist)
      .put("layout", meta.get("layout").toString());
    // a grid's seats are rows x seatsPerRow (A1..); listed seats have no rows to show
    if ("grid".equals(event.getString("layout"))) {
      event.put("rows", meta.get("rows").toInteger()).put("seatsPerRow", meta.get("per_row").toInteger());
    }
    return event;
  }

  /**
   * A reservation as the scripts return it ({@code lua/lib.lua reservation()}), its status as the
   * script decided it by Redis' clock.
   */
  static JsonObject reservation(String eventId, JsonObject r) {
    String status = r.getString("status");
    long expiresAt = r.getLong("expiresAt");
    JsonObject json = new JsonObject()
      .put("reservationId", r.getString("reservationId"))
      .put("eventId", eventId)
      .put("userId", r.getString("userId"))
      .put("seats", r.getJsonArray("seats"))
      .put("status", status)
      .put("createdAt", instant(r.getLong("createdAt")));
    if ("pending".equals(status)) {
      json.put("expiresAt", instant(expiresAt));
    }
    return json;
  }

  /**
   * The same, read straight from the record's hash at {@code nowMs} of Redis' clock (the one the
   * scripts release holds by): a pending hold past its time is expired, although no script has
   * released it yet, since none will treat it as held.
   */
  static JsonObject reservation(String eventId, String reservationId, Response hash, long nowMs) {
    JsonArray seats = new JsonArray();
    for (String seat : hash.get("seats").toString().split(",")) {
      seats.add(seat);
    }
    long expiresAt = hash.get("expires_at").toLong();
    String status = hash.get("status").toString();
    return reservation(eventId, new JsonObject()
      .put("reservationId", reservationId)
      .put("userId", hash.get("user").toString())
      .put("seats", seats)
      .put("status", "pending".equals(status) && expiresAt <= nowMs ? "expired" : status)
      .put("createdAt", hash.get("created_at").toLong())
      .put("expiresAt", expiresAt));
  }

  static String instant(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  /** An ISO-8601 instant as given in a command, in epoch milliseconds. */
  static long millis(String instant) {
    try {
      return Instant.parse(instant).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO-8601 instant: " + instant);
    }
  }
}
