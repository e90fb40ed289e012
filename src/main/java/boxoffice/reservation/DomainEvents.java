package boxoffice.reservation;

import boxoffice.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** Publishes what happened to reservations, for any consumer on the event bus. */
final class DomainEvents {

  private DomainEvents() {
  }

  /**
   * {@code {type, eventId, reservationId, userId, seats, time}} on the address of its type
   * ({@code boxoffice.reservation.created} has type {@code reservation.created}).
   */
  static void publish(EventBus bus, String address, String eventId, JsonObject reservation) {
    bus.publish(address, new JsonObject()
      .put("type", address.substring("boxoffice.".length()))
      .put("eventId", eventId)
      .put("reservationId", reservation.getString("reservationId"))
      .put("userId", reservation.getString("userId"))
      .put("seats", reservation.getJsonArray("seats"))
      .put("time", Instant.now().toString()));
  }

  /** The holds a script found expired and released on its way ("released" in its reply). */
  static void publishReleased(EventBus bus, String eventId, JsonObject scriptReply) {
    JsonArray released = scriptReply.getJsonArray("released");
    if (released != null) {
      released.forEach(r -> publish(bus, Addresses.RESERVATION_EXPIRED, eventId, (JsonObject) r));
    }
  }
}
