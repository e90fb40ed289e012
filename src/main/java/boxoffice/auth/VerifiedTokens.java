package boxoffice.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bearer tokens this process verified, with who they stand for, kept until they expire: a
 * buyer's requests cost one signature check a token, not one each. Shared by the HTTP verticles of a
 * process; at most {@link #KEPT} tokens (past that, the expired go, then everything).
 */
public final class VerifiedTokens {

  static final int KEPT = 10_000;
  /** How long a token without {@code exp} is trusted before it is checked again. */
  static final long NO_EXPIRY_KEPT_MS = 60_000;

  private record Verified(Caller caller, long untilMs) {
  }

  private final Map<String, Verified> byToken = new ConcurrentHashMap<>();

  /** The caller of a token verified before and not expired since, or null. */
  Caller get(String token, long nowMs) {
    Verified verified = byToken.get(token);
    if (verified == null) {
      return null;
    }
    if (verified.untilMs() <= nowMs) {
      byToken.remove(token, verified);
      return null;
    }
    return verified.caller();
  }

  /** {@code expiresAtMs}: the token's {@code exp}, or 0 when it has none. */
  void put(String token, Caller caller, long expiresAtMs, long nowMs) {
    if (byToken.size() >= KEPT) {
      byToken.values().removeIf(verified -> verified.untilMs() <= nowMs);
      if (byToken.size() >= KEPT) {
        byToken.clear();
      }
    }
    byToken.put(token, new Verified(caller, expiresAtMs > 0 ? expiresAtMs : nowMs + NO_EXPIRY_KEPT_MS));
  }
}
