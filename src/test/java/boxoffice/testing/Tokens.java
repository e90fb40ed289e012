package boxoffice.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

/**
 * An issuer of bearer tokens for the tests: a key pair of its own (RS256 or ES256), the public key
 * as the service is configured with it, and tokens signed with the private one, good or bad.
 */
public final class Tokens {

  public static final String ISSUER = "https://id.boxoffice.test";
  public static final String AUDIENCE = "boxoffice";

  private final String algorithm;
  private final String publicPem;
  private final JWTAuth signer;

  private Tokens(Vertx vertx, String algorithm, KeyPair keys) {
    this.algorithm = algorithm;
    this.publicPem = pem("PUBLIC KEY", keys.getPublic().getEncoded());
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
      .setAlgorithm(algorithm).setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
  }

  /** A new issuer with a key pair of its own: "RS256" (RSA 2048) or "ES256" (EC P-256). */
  public static Tokens issuer(Vertx vertx, String algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.startsWith("RS") ? "RSA" : "EC");
      if (algorithm.startsWith("RS")) {
        generator.initialize(2048);
      } else {
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      }
      return new Tokens(vertx, algorithm, generator.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The service's {@code auth.jwt} section for this issuer. */
  public JsonObject config() {
    return new JsonObject().put("publicKeyPem", publicPem).put("algorithm", algorithm)
      .put("issuer", ISSUER).put("audience", AUDIENCE);
  }

  /** A good token of {@code user} for 10 minutes, with the given roles. */
  public String token(String user, String... roles) {
    return sign(claims(user, roles), new JWTOptions().setExpiresInSeconds(600));
  }

  /** A token signed right but expired a minute ago. */
  public String expired(String user) {
    long now = System.currentTimeMillis() / 1000;
    return sign(claims(user).put("iat", now - 660).put("exp", now - 60), new JWTOptions().setNoTimestamp(true));
  }

  /** A token signed right but from another issuer. */
  public String fromIssuer(String user, String issuer) {
    return sign(claims(user).put("iss", issuer), new JWTOptions().setExpiresInSeconds(600));
  }

  /** A token unsigned, {@code alg: none}. */
  public String unsigned(String user) {
    long now = System.currentTimeMillis() / 1000;
    return base64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "."
      + base64(claims(user).put("exp", now + 600).encode()) + ".";
  }

  /** A good token of {@code user} whose payload then says {@code other}, the signature left as it was. */
  public String tampered(String user, String other) {
    String[] parts = token(user).split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    return parts[0] + "." + base64(payload.put("sub", other).encode()) + "." + parts[2];
  }

  private JsonObject claims(String user, String... roles) {
    JsonObject claims = new JsonObject().put("sub", user).put("iss", ISSUER).put("aud", AUDIENCE);
    if (roles.length > 0) {
      claims.put("roles", new JsonArray(List.of((Object[]) roles)));
    }
    return claims;
  }

  private String sign(JsonObject claims, JWTOptions options) {
    return signer.generateToken(claims, options.setAlgorithm(algorithm));
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String pem(String kind, byte[] der) {
    return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
      .encodeToString(der) + "\n-----END " + kind + "-----\n";
  }
}
