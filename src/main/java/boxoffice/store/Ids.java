package boxoffice.store;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Ids that become part of key names: no braces, colons or spaces, so that nothing can leave or
 * break the event's hash tag.
 */
public final class Ids {

  /** What an id must match, for error messages; {@link #valid} checks it without a regex, on every request. */
  public static final String PATTERN = "[A-Za-z0-9_-]{1,64}";
  private static final int MAX_LENGTH = 64;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  private Ids() {
  }

  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
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
