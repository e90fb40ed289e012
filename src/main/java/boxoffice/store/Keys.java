package boxoffice.store;

import java.util.List;

/** Key names: everything of one event under its hash tag {@code {event:ID}}, so in one slot. */
public final class Keys {

  private Keys() {
  }

  public static String event(String eventId) {
    return "{event:" + Ids.require(eventId) + "}";
  }

  public static String seats(String eventId) {
    return event(eventId) + ":seats";
  }

  public static String stats(String eventId) {
    return event(eventId) + ":stats";
  }

  public static String changes(String eventId) {
    return event(eventId) + ":changes";
  }

  public static String waitlist(String eventId) {
    return event(eventId) + ":waitlist";
  }

  /** Same layout as {@code res_key} in lua/lib.lua. */
  public static String reservation(String eventId, String reservationId) {
    return event(eventId) + ":res:" + Ids.require(reservationId);
  }

  /** Same layout as {@code waiter_key} in lua/lib.lua. */
  public static String waiter(String eventId, String userId) {
    return event(eventId) + ":waiter:" + Ids.require(userId);
  }

  /** The KEYS of every event script, in the order lua/lib.lua names them. */
  static List<String> forScripts(String eventId) {
    String e = event(eventId);
    return List.of(e, e + ":seats", e + ":stats", e + ":free", e + ":expiry", e + ":positions", e + ":layout",
      e + ":changes", e + ":waitlist", e + ":users");
  }

  /**
   * The events by creation time (a sorted set of event ids, scored in ms), for listing them. Written
   * once per creation only: no hold or other change of an event touches it.
   */
  public static String eventIndex() {
    return "{events}:created";
  }

  /** The sweeper's index of events with pending holds or waiters, spread over a few keys (and so nodes). */
  public static String sweepShard(int shard) {
    return "{sweep:" + shard + "}:events";
  }

  /** Who runs the sweeper's reconciliation pass now: one process at a time. */
  public static String reconcileLease() {
    return "{sweep}:reconciler";
  }

  /** The event a key belongs to ({@code {event:ID}...}), or null. */
  public static String eventOf(String key) {
    int close = key.indexOf('}');
    return key.startsWith("{event:") && close > 7 ? key.substring(7, close) : null;
  }

  public static int sweepShardOf(String eventId, int shards) {
    return Math.floorMod(eventId.hashCode(), shards);
  }
}
