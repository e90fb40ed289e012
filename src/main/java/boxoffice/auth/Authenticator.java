package boxoffice.auth;

import boxoffice.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.List;

/**
 * Checks bearer tokens (vertx-auth-jwt): the signature by the configured public key and algorithm
 * only ({@code alg: none} and other algorithms are refused), {@code exp} and {@code nbf}, and the
 * issuer and audience when configured. The user is {@code sub}, which must be a valid id (it becomes
 * part of key names); an admin has {@code "admin"} in {@code roles}.
 */
public final class Authenticator {

  /** Why a token was refused; its message is for the client. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final JWTAuth jwt;
  private final VerifiedTokens verified;

  public Authenticator(Vertx vertx, JwtSettings settings, VerifiedTokens verified) {
    JWTOptions checks = new JWTOptions();
    if (settings.issuer() != null) {
      checks.setIssuer(settings.issuer());
    }
    if (settings.audience() != null) {
      checks.setAudience(List.of(settings.audience()));
    }
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(settings.algorithm()).setBuffer(settings.publicKeyPem()))
      .setJWTOptions(checks));
    this.verified = verified;
  }

  /** The caller of an {@code Authorization} header's bearer token, or a {@link Refused} failure. */
  public Future<Caller> caller(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new Refused("an Authorization: Bearer token is required"));
    }
    String token = authorization.substring(7).trim();
    long now = System.currentTimeMillis();
    Caller known = verified.get(token, now);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return jwt.authenticate(new TokenCredentials(token))
      .recover(err -> Future.failedFuture(new Refused("the bearer token is not valid: " + err.getMessage())))
      .compose(user -> {
        JsonObject claims = user.principal();
        String sub = claims.getValue("sub") instanceof String s ? s : null;
        if (!Ids.valid(sub)) {
          return Future.failedFuture(new Refused("the token's sub must be a user id matching " + Ids.PATTERN));
        }
        JsonArray roles = claims.getValue("roles") instanceof JsonArray r ? r : new JsonArray();
        Caller caller = new Caller(sub, roles.contains("admin"));
        long exp = claims.getValue("exp") instanceof Number n ? n.longValue() * 1000 : 0;
        verified.put(token, caller, exp, now);
        return Future.succeededFuture(caller);
      });
  }
}
