package dev.redisha.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redisha.api.BearerTokenCheck.Verdict;
import dev.redisha.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerTokenCheckTest {
  private final BearerTokenCheck check = new BearerTokenCheck(Optional.of(secret("tok-123\n")));

  @Test
  void onlyTheExactTokenIsAllowed() {
    assertEquals(Verdict.ALLOWED, check.check("Bearer tok-123"));
    assertEquals(Verdict.ALLOWED, check.check("bearer tok-123"));
    assertEquals(Verdict.WRONG, check.check("Bearer tok-12"));
    assertEquals(Verdict.WRONG, check.check("Bearer tok-1234"));
    assertEquals(Verdict.WRONG, check.check("Bearer "));
    assertEquals(Verdict.MISSING, check.check("Basic tok-123"));
    assertEquals(Verdict.MISSING, check.check("tok-123"));
    assertEquals(Verdict.MISSING, check.check(null));
  }

  @Test
  void withoutATokenNothingIsAllowed() {
    BearerTokenCheck none = new BearerTokenCheck(Optional.empty());

    assertEquals(Verdict.DISABLED, none.check("Bearer "));
    assertEquals(Verdict.DISABLED, none.check(null));
  }

  @Test
  void anEmptyTokenIsRefusedAtStart() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BearerTokenCheck(Optional.of(secret("\n"))));
    assertEquals(
        "api token from file /etc/redis-ha/token is empty; an empty token would let anyone write",
        e.getMessage());
  }

  private static Secret secret(String value) {
    return new Secret(value.getBytes(StandardCharsets.UTF_8), "file /etc/redis-ha/token");
  }
}
