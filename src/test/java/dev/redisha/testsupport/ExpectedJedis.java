package dev.redisha.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import redis.clients.jedis.Jedis;

/**
 * The client-facing Jedis tests run twice by Maven: with the agent's Jedis on the test classpath
 * and, in the surefire execution "jedis-8", with the current Jedis swapped in. The system property
 * {@code redisha.jedis.expected} names the version each run must have loaded, so a classpath that
 * silently kept the old jar fails instead of passing as a test of the new one.
 */
public final class ExpectedJedis {
  private ExpectedJedis() {}

  /** Fails unless the Jedis on the classpath is the one this run was set up for; no-op outside Maven. */
  public static void isLoaded() {
    String expected = System.getProperty("redisha.jedis.expected");
    String loaded = loadedVersion();
    System.out.println("Jedis loaded: " + loaded + ", expected: " + expected);
    if (expected != null) {
      assertEquals(expected, loaded, "this run must test Jedis " + expected);
    }
  }

  /** From the jar that holds the Jedis class (JedisMetaInfo, which reads the same, is package-private). */
  static String loadedVersion() {
    try (InputStream in = Jedis.class.getResourceAsStream("pom.properties")) {
      assertNotNull(in, "no redis/clients/jedis/pom.properties next to " + Jedis.class);
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
