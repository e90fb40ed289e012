package boxoffice.bus;

/** Every event-bus address of the service. Commands are requests with a reply; domain events are published. */
public final class Addresses {

  // commands
  public static final String EVENT_CREATE = "boxoffice.event.create";
  public static final String EVENT_GET = "boxoffice.event.get";
  public static final String EVENT_SEATS = "boxoffice.event.seats";
  public static final String RESERVATION_HOLD = "boxoffice.reservation.hold";
  public static final String RESERVATION_GET = "boxoffice.reservation.get";
  public static final String RESERVATION_CONFIRM = "boxoffice.reservation.confirm";
  public static final String RESERVATION_CANCEL = "boxoffice.reservation.cancel";
  public static final String CLUSTER_HEALTH = "boxoffice.cluster.health";

  // domain events
  public static final String RESERVATION_CREATED = "boxoffice.reservation.created";
  public static final String RESERVATION_CONFIRMED = "boxoffice.reservation.confirmed";
  public static final String RESERVATION_CANCELLED = "boxoffice.reservation.cancelled";
  public static final String RESERVATION_EXPIRED = "boxoffice.reservation.expired";

  private Addresses() {
  }
}
