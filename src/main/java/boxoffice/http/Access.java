package boxoffice.http;

import boxoffice.Config;
import boxoffice.auth.Authenticator;
import boxoffice.auth.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may do what. In the lab mode (no {@code auth.jwt}) a buyer is whatever {@code userId} the
 * request names, and admin calls need {@code X-Admin-Key} when {@code admin.apiKey} is set. With
 * {@code auth.jwt}, buyer calls need a bearer token whose {@code sub} is the user (a {@code userId}
 * named as well must be the same), and admin calls take the key or a token with the admin role.
 * Holds and waitlist joins are also rate-limited per caller when {@code limits.holdsPerSecond} is set.
 */
final class Access {

  private static final String CALLER = "boxoffice.caller";

  private final Config config;
  private final Authenticator tokens;
  private final RateLimits limits;

  /** {@code tokens}: null in the lab mode. */
  Access(Config config, Authenticator tokens, RateLimits limits) {
    this.config = config;
    this.tokens = tokens;
    this.limits = limits;
  }

  boolean authenticating() {
    return tokens != null;
  }

  /** Route handler of buyer calls: the caller from the bearer token, or 401. */
  void buyer(RoutingContext ctx) {
    if (tokens == null) {
      ctx.next();
      return;
    }
    tokens.caller(ctx.request().getHeader("Authorization"))
      .onSuccess(caller -> {
        ctx.put(CALLER, caller);
        ctx.next();
      })
      .onFailure(err -> ctx.fail(unauthorized(err.getMessage())));
  }

  /** Route handler of admin calls: the admin key or an admin's token, else 401 (or 403 for a buyer's token). */
  void admin(RoutingContext ctx) {
    isAdmin(ctx).onSuccess(admin -> {
      if (admin) {
        ctx.next();
      } else if (tokens != null && ctx.request().getHeader("Authorization") != null && ctx.get(CALLER) != null) {
        ctx.fail(Problem.of(403, "forbidden", "this call is for admins: the token has no admin role"));
      } else {
        ctx.fail(tokens == null
          ? Problem.of(401, "unauthorized", "a valid X-Admin-Key header is required")
          : unauthorized("a valid X-Admin-Key header, or the bearer token of an admin, is required"));
      }
    });
  }

  /**
   * Whether the request comes from an admin: the key, an admin's token, or anyone when neither
   * authentication nor an admin key is configured.
   */
  Future<Boolean> isAdmin(RoutingContext ctx) {
    String key = config.adminApiKey();
    if (key != null && sameSecret(key, ctx.request().getHeader("X-Admin-Key"))) {
      return Future.succeededFuture(true);
    }
    if (tokens == null) {
      return Future.succeededFuture(key == null);
    }
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null) {
      return Future.succeededFuture(false);
    }
    return tokens.caller(authorization).map(caller -> {
      ctx.put(CALLER, caller);
      return caller.admin();
    }).otherwise(false);
  }

  /**
   * The user a buyer call acts for: the token's {@code sub} (a {@code userId} in the body, when
   * given, must be it: 403 otherwise), or in the lab mode the body's {@code userId} (400 without one).
   */
  String user(RoutingContext ctx, JsonObject body) {
    Caller caller = ctx.get(CALLER);
    if (caller == null) {
      return Requests.id(body, "userId");
    }
    if (body.containsKey("userId") && !caller.user().equals(Requests.id(body, "userId"))) {
      throw Problem.of(403, "forbidden", "userId is not the token's user");
    }
    return caller.user();
  }

  /** A path's user id: with authentication, only the user themselves may name it (403 otherwise). */
  String pathUser(RoutingContext ctx) {
    String user = Requests.pathId(ctx, "userId");
    Caller caller = ctx.get(CALLER);
    if (caller != null && !caller.user().equals(user)) {
      throw Problem.of(403, "forbidden", "the entry belongs to another user");
    }
    return user;
  }

  /** The caller's user, with authentication: a command on a reservation is checked against it. */
  String authenticatedUser(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    return caller == null ? null : caller.user();
  }

  /** 429 when the caller (the user, else the client's address) is over its rate; else nothing. */
  void limit(RoutingContext ctx) {
    if (!limits.enabled()) {
      return;
    }
    Caller caller = ctx.get(CALLER);
    long retryAfter = limits.take(caller != null ? "user:" + caller.user()
      : "address:" + ctx.request().remoteAddress().hostAddress());
    if (retryAfter > 0) {
      throw Problem.of(429, "rate-limited", "too many holds and waitlist joins; try again in " + retryAfter + " s")
        .header("Retry-After", String.valueOf(retryAfter));
    }
  }

  static Problem unauthorized(String detail) {
    return Problem.of(401, "unauthorized", detail).header("WWW-Authenticate", "Bearer realm=\"boxoffice\"");
  }

  private static boolean sameSecret(String expected, String given) {
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
      given.getBytes(StandardCharsets.UTF_8));
  }
}
