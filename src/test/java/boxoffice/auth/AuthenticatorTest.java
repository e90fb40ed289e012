package boxoffice.auth;

import boxoffice.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens signed with ES256 too, a sub that cannot be a user id refused, a verified token kept. */
@ExtendWith(VertxExtension.class)
class AuthenticatorTest {

  @Test
  void es256TokensAndWhatIsKept(Vertx vertx) {
    Tokens issuer = Tokens.issuer(vertx, "ES256");
    JsonObject config = issuer.config();
    JwtSettings settings = new JwtSettings(config.getString("publicKeyPem"), "ES256", Tokens.ISSUER, Tokens.AUDIENCE);
    assertTrue(JwtSettings.isPublicKey(settings.publicKeyPem(), "ES256"));
    assertFalse(JwtSettings.isPublicKey(settings.publicKeyPem(), "RS256"), "an EC key is no RSA key");
    VerifiedTokens verified = new VerifiedTokens();
    Authenticator authenticator = new Authenticator(vertx, settings, verified);

    String token = issuer.token("ann", "admin");
    assertEquals(new Caller("ann", true), authenticator.caller("Bearer " + token).await());
    assertEquals(new Caller("ann", true), verified.get(token, System.currentTimeMillis()), "kept until it expires");
    assertEquals(new Caller("bob", false), authenticator.caller("bearer " + issuer.token("bob")).await());

    assertRefused(authenticator, "Bearer " + Tokens.issuer(vertx, "ES256").token("ann"));
    assertRefused(authenticator, "Bearer " + issuer.token("a{b}"));
    assertRefused(authenticator, "Basic YW5uOnNlY3JldA==");
    assertRefused(authenticator, null);
  }

  private static void assertRefused(Authenticator authenticator, String header) {
    Throwable refused = authenticator.caller(header).transform(done -> Future.succeededFuture(done.cause())).await();
    assertInstanceOf(Authenticator.Refused.class, refused, String.valueOf(header));
  }
}
