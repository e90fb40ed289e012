package boxoffice.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets, one a caller (a user, or a client address when no user is known), shared by the
 * HTTP verticles of a process: {@code perSecond} holds and waitlist joins a second, up to
 * {@code burst} at once. Per process: N instances let a caller through N times as often.
 */
final class RateLimits {

  /** Buckets kept at most; past that, those full again (idle long enough) go. */
  private static final int KEPT = 100_000;

  private static final class Bucket {
    double tokens;
    long refilledAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }
  }

  private final double perSecond;
  private final double burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** {@code perSecond} 0: no limit. {@code burst} 0: as many as a second allows. */
  RateLimits(int perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst > 0 ? burst : Math.max(1, perSecond);
  }

  boolean enabled() {
    return perSecond > 0;
  }

  /** 0 when the caller may go on (one token taken), else the seconds until it may (Retry-After). */
  long take(String caller) {
    long now = System.nanoTime();
    if (buckets.size() >= KEPT) {
      buckets.values().removeIf(bucket -> tokens(bucket, now) >= burst);
    }
    Bucket bucket = buckets.computeIfAbsent(caller, c -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.tokens = tokens(bucket, now);
      bucket.refilledAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - bucket.tokens) / perSecond);
    }
  }

  private double tokens(Bucket bucket, long now) {
    return Math.min(burst, bucket.tokens + (now - bucket.refilledAt) / 1e9 * perSecond);
  }
}
