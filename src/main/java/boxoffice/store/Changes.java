package boxoffice.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The change log's entries as domain events. The scripts write an entry's fields flat (see
 * {@code emit} in lua/lib.lua), cheaper for Redis than a JSON text; here they become the event's JSON,
 * the one the event bus and the live feed carry: {@code type}, {@code eventId}, {@code time} as
 * ISO-8601, a list of seats as an array, counts as numbers, times as ISO-8601.
 */
public final class Changes {

  private static final Set<String> LISTS = Set.of("seats");
  private static final Set<String> COUNTS = Set.of("quantity", "totalSeats");
  private static final Set<String> TIMES = Set.of("time", "expiresAt", "endsAt");

  private Changes() {
  }

  /** The event of {@code eventId} whose entry has these fields (name, value, name, value, ...). */
  public static JsonObject event(String eventId, List<String> fields) {
    JsonObject event = new JsonObject();
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i);
      String value = fields.get(i + 1);
      if (name.equals("data")) {
        return new JsonObject(value); // an entry written as JSON text, before the fields were flat
      }
      event.put(name, LISTS.contains(name) ? new JsonArray(List.of((Object[]) value.split(",")))
        : COUNTS.contains(name) ? Long.parseLong(value)
        : TIMES.contains(name) ? Instant.ofEpochMilli(Long.parseLong(value)).toString()
        : value);
    }
    return event.put("eventId", eventId);
  }
}
