package boxoffice.auth;

import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The {@code auth.jwt} section: buyers present a JWT signed with the private half of
 * {@code publicKeyPem} ({@code algorithm} RS256 or ES256), from {@code issuer} and for
 * {@code audience} when those are set.
 */
public record JwtSettings(String publicKeyPem, String algorithm, String issuer, String audience) {

  /**
   * Whether the PEM text is a public key of the algorithm's kind (RSA for RS256, EC for ES256): a
   * wrong or damaged key is a configuration error at the start, not a 401 for every buyer.
   */
  public static boolean isPublicKey(String pem, String algorithm) {
    String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    try {
      KeyFactory.getInstance(algorithm.startsWith("RS") ? "RSA" : "EC")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
      return pem.contains("-----BEGIN PUBLIC KEY-----");
    } catch (Exception e) {
      return false;
    }
  }
}
