package boxoffice.reservation;

import java.util.List;

/** Key names: everything of one event under its hash tag {@code {event:ID}}, so in one slot. */
final class Keys {

  private Keys() {
  }

  static String event(String eventId) {
    return "{event:" + Ids.require(eventId) + "}";
  }

  static String seats(String eventId) {
    return event(eventId) + ":seats";
  }

  static String stats(String eventId) {
    return event(eventId) + ":stats";
  }

  static String waitlist(String eventId) {
    return event(eventId) + ":waitlist";
  }

  /** Same layout as {@code res_key} in lua/lib.lua. */
  static String reservation(String eventId, String reservationId) {
    return event(eventId) + ":res:" + Ids.require(reservationId);
  }

  /** The KEYS of every event script, in the order lua/lib.lua names them. */
  static List<String> forScripts(String eventId) {
    String e = event(eventId);
    return List.of(e, e + ":seats", e + ":stats", e + ":free", e + ":reservations", e + ":expiry",
      e + ":positions", e + ":layout");
  }

  /** The sweeper's index of events with pending holds, spread over a few keys (and so nodes). */
  static String sweepShard(int shard) {
    return "{sweep:" + shard + "}:events";
  }

  static int sweepShardOf(String eventId, int shards) {
    return Math.floorMod(eventId.hashCode(), shards);
  }
}
