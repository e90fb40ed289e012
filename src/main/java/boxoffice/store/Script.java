package boxoffice.store;

/** The scripts of {@code lua/}: one per state change of an event. */
public enum Script {
  CREATE_EVENT, HOLD, CONFIRM, CANCEL, EXPIRE, JOIN, LEAVE, PROMOTE;

  String file() {
    return name().toLowerCase();
  }
}
