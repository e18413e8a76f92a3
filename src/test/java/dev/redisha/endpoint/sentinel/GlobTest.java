package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void matchesLikeRedis() {
    assertTrue(Glob.matches("*", "+switch-master"));
    assertTrue(Glob.matches("+switch-*", "+switch-master"));
    assertTrue(Glob.matches("+*-master", "+switch-master"));
    assertTrue(Glob.matches("?sdown", "+sdown"));
    assertTrue(Glob.matches("[+-]sdown", "-sdown"));
    assertTrue(Glob.matches("[^-]sdown", "+sdown"));
    assertFalse(Glob.matches("[^+]sdown", "+sdown"));
    assertTrue(Glob.matches("h[a-c]llo", "hbllo"));
    assertTrue(Glob.matches("h[c-a]llo", "hbllo"));
    assertFalse(Glob.matches("h[a-c]llo", "hdllo"));
    assertTrue(Glob.matches("a\\*b", "a*b"));
    assertFalse(Glob.matches("a\\*b", "axb"));
    assertTrue(Glob.matches("**a**", "bab"));
    assertFalse(Glob.matches("+switch-*", "+sdown"));
    assertFalse(Glob.matches("", "x"));
    assertTrue(Glob.matches("", ""));
    assertTrue(Glob.matches("a*", "a"));
  }

  @Test
  void hostilePatternsStayCheap() {
    String text = "a".repeat(5000);
    String pattern = "*a".repeat(500) + "b";
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertFalse(Glob.matches(pattern, text)));
  }
}
