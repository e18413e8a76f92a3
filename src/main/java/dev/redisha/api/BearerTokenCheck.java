package dev.redisha.api;

import dev.redisha.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** Decides whether an {@code Authorization} header carries the API token (DESIGN §3 rule 6). */
final class BearerTokenCheck {

  enum Verdict {
    ALLOWED,
    /** No token is configured, so no request may write. */
    DISABLED,
    MISSING,
    WRONG
  }

  private static final String SCHEME = "Bearer ";

  // Only the token's digest is kept: comparing two SHA-256 digests takes the same time whatever
  // the guess, where comparing the raw values would also reveal the token's length.
  private final Optional<byte[]> expectedDigest;

  BearerTokenCheck(Optional<Secret> token) {
    this.expectedDigest =
        token.map(
            secret -> {
              String text = secret.text();
              if (text.isEmpty()) {
                throw new IllegalArgumentException(
                    "api token from " + secret.origin() + " is empty; an empty token would let"
                        + " anyone write");
              }
              return sha256(text);
            });
  }

  Verdict check(String authorizationHeader) {
    if (expectedDigest.isEmpty()) {
      return Verdict.DISABLED;
    }
    // RFC 7235: the scheme name is case-insensitive.
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Verdict.MISSING;
    }
    String offered = authorizationHeader.substring(SCHEME.length()).strip();
    return MessageDigest.isEqual(expectedDigest.get(), sha256(offered))
        ? Verdict.ALLOWED
        : Verdict.WRONG;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
