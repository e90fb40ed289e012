package boxoffice.store;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Ids that become part of key names: no braces, colons or spaces, so that nothing can leave or
 * break the event's hash tag.
 */
public final class Ids {

  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  private Ids() {
  }

  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  public static String require(String id) {
    if (!valid(id)) {
      throw new IllegalArgumentException("invalid id: " + id);
    }
    return id;
  }

  /** 128 random bits, base64url: 22 characters that match the id pattern. */
  public static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return BASE64.encodeToString(bytes);
  }
}
