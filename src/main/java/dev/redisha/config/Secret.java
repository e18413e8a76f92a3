package dev.redisha.config;

/**
 * A password, key or token read from a file or an environment variable. Its {@link #toString()}
 * never shows the value, so a secret cannot leak through a log line or a status page by accident.
 */
public final class Secret {
  private final byte[] value;
  private final String origin;

  public Secret(byte[] value, String origin) {
    this.value = value.clone();
    this.origin = origin;
  }

  /** The raw bytes (an HMAC key, for instance). */
  public byte[] bytes() {
    return value.clone();
  }

  /** The value as text (a password), without a trailing newline. */
  public String text() {
    return new String(value, java.nio.charset.StandardCharsets.UTF_8).strip();
  }

  /** Where it came from ("file /etc/x" or "env REDIS_PASSWORD"), safe to log. */
  public String origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "<secret from " + origin + ">";
  }
}
