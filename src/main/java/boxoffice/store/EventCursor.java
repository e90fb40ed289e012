package boxoffice.store;

/**
 * A place in the list of events, newest first: the index score (ms) and id of the last event a page
 * gave. The next page starts after it. Written {@code SCORE.ID} (ids have no dots), e.g.
 * {@code 1764264600000.gala}; clients pass it back as they got it.
 */
public record EventCursor(long score, String eventId) {

  public EventCursor {
    Ids.require(eventId);
    if (score < 0) {
      throw new IllegalArgumentException("invalid cursor score: " + score);
    }
  }

  /** The cursor a client sent, or null when it is not one. */
  public static EventCursor parse(String text) {
    if (text == null) {
      return null;
    }
    int dot = text.indexOf('.');
    if (dot < 1 || dot > 15 || !Ids.valid(text.substring(dot + 1))) {
      return null;
    }
    for (int i = 0; i < dot; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return null;
      }
    }
    return new EventCursor(Long.parseLong(text.substring(0, dot)), text.substring(dot + 1));
  }

  /** Whether an index entry comes after this place: an older score, or the same score and a smaller id. */
  public boolean before(long otherScore, String otherId) {
    return otherScore < score || otherScore == score && otherId.compareTo(eventId) < 0;
  }

  @Override
  public String toString() {
    return score + "." + eventId;
  }
}
