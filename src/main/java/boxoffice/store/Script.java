package boxoffice.store;

/** The scripts of {@code lua/}: one per state change of an event. */
public enum Script {
  CREATE_EVENT(false), DELETE_EVENT(false), HOLD(true), CONFIRM(true), CANCEL(true), EXPIRE(true), JOIN(true), LEAVE(false),
  PROMOTE(true);

  /** Whether running it again with the same arguments answers the same and changes nothing more. */
  final boolean repeatable;

  Script(boolean repeatable) {
    this.repeatable = repeatable;
  }

  public String file() {
    return name().toLowerCase();
  }
}
