package boxoffice.bus;

import io.vertx.core.eventbus.DeliveryOptions;

import java.util.List;

/** Every event-bus address of the service. Commands are requests with a reply; domain events are published. */
public final class Addresses {

  // commands
  public static final String EVENT_CREATE = "boxoffice.event.create";
  public static final String EVENT_GET = "boxoffice.event.get";
  public static final String EVENT_DELETE = "boxoffice.event.delete";
  public static final String EVENT_SEATS = "boxoffice.event.seats";
  /** {limit, cursor?}: replies {events, next}, the events newest first with their counts. */
  public static final String EVENT_LIST = "boxoffice.event.list";
  public static final String RESERVATION_HOLD = "boxoffice.reservation.hold";
  public static final String RESERVATION_GET = "boxoffice.reservation.get";
  public static final String RESERVATION_CONFIRM = "boxoffice.reservation.confirm";
  public static final String RESERVATION_CANCEL = "boxoffice.reservation.cancel";
  public static final String WAITLIST_JOIN = "boxoffice.waitlist.join";
  public static final String WAITLIST_GET = "boxoffice.waitlist.get";
  public static final String WAITLIST_LEAVE = "boxoffice.waitlist.leave";
  public static final String CLUSTER_HEALTH = "boxoffice.cluster.health";
  /**
   * {eventId, subscription, after?}: replies {backlog, upTo} and starts the event's feed on
   * {@link #feed(String)}; the subscription is an id the subscriber picks, which its close names.
   */
  public static final String FEED_OPEN = "boxoffice.feed.open";
  /** {eventId, subscription}: one subscriber fewer, also when its open is still in flight or failed. */
  public static final String FEED_CLOSE = "boxoffice.feed.close";
  /** Replies {events: {eventId: subscribers}}: the feeds this process reads. */
  public static final String FEED_STATS = "boxoffice.feed.stats";
  /**
   * Local, body the event id: this process has just changed a watched event (its change log grew).
   * Watched events are the keys of the local map {@link #WATCHED_EVENTS}.
   */
  public static final String CHANGED = "boxoffice.changed";
  /**
   * Local, {eventId, script}: a script refused to change an event whose records disagree with each
   * other (a counter, a seat, the free bitmap); counted by the metrics.
   */
  public static final String DRIFT = "boxoffice.drift";
  /** Name of the local shared map whose keys are the events the feed reads in this process. */
  public static final String WATCHED_EVENTS = "boxoffice.feed.watched";

  // domain events
  public static final String RESERVATION_CREATED = "boxoffice.reservation.created";
  public static final String RESERVATION_CONFIRMED = "boxoffice.reservation.confirmed";
  public static final String RESERVATION_CANCELLED = "boxoffice.reservation.cancelled";
  public static final String RESERVATION_EXPIRED = "boxoffice.reservation.expired";
  public static final String WAITLIST_JOINED = "boxoffice.waitlist.joined";
  public static final String WAITLIST_PROMOTED = "boxoffice.waitlist.promoted";
  public static final String WAITLIST_LEFT = "boxoffice.waitlist.left";
  public static final String EVENT_CREATED = "boxoffice.event.created";
  /** Published by the process that deleted the event; its change log is gone with it. */
  public static final String EVENT_DELETED = "boxoffice.event.deleted";
  /** In the change log (the last entry left) once the event's end has come and it is retired. */
  public static final String EVENT_ENDED = "boxoffice.event.ended";


  /** Every domain-event address: what a consumer in another process may listen to. */
  public static final List<String> DOMAIN_EVENTS = List.of(RESERVATION_CREATED, RESERVATION_CONFIRMED,
    RESERVATION_CANCELLED, RESERVATION_EXPIRED, WAITLIST_JOINED, WAITLIST_PROMOTED, WAITLIST_LEFT, EVENT_CREATED,
    EVENT_ENDED, EVENT_DELETED);

  /** Where an event's change-log entries are published locally: {id, type, data}. */
  public static String feed(String eventId) {
    return "boxoffice.feed.event." + eventId; // apart from the feed's commands: an event may be named "open"
  }

  /**
   * For what the service sends itself: served in this process, never by another of the cluster (no
   * network hop on a request's path; the process's own feeds and signals).
   */
  public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private Addresses() {
  }
}
