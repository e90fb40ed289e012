package boxoffice.feed;

import java.util.regex.Pattern;

/** Redis stream entry ids ({@code ms-seq}), as SSE event ids and Last-Event-ID values. */
public final class StreamIds {

  private static final Pattern ID = Pattern.compile("\\d{1,19}-\\d{1,19}");

  private StreamIds() {
  }

  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  public static int compare(String a, String b) {
    int dash = a.indexOf('-');
    int other = b.indexOf('-');
    int byTime = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, dash)), Long.parseUnsignedLong(b.substring(0, other)));
    return byTime != 0 ? byTime
      : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(dash + 1)), Long.parseUnsignedLong(b.substring(other + 1)));
  }
}
