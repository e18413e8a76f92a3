package dev.redisha.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Checks redis.extra_args: "--name value" options the agent passes to a managed redis-server. */
final class ExtraArgs {
  private static final String SECRET =
      "would put a secret on the command line, where any local user can read it (ps); ";
  private static final String AGENT = "is set by the agent and may not be overridden; ";
  private static final String PERSISTENCE =
      "is set by the agent, which moves persistence to the replica (DESIGN rule 4); ";

  /** Options that are refused, with why and what to do instead. */
  private static final Map<String, String> REFUSED = Map.ofEntries(
      Map.entry("requirepass", SECRET + "use redis.password_file or redis.password_env"),
      Map.entry("masterauth", SECRET + "the agent sets it from redis.password_file or"
          + " redis.password_env"),
      Map.entry("tls-key-file-pass", SECRET + "put it in a Redis config file instead"),
      Map.entry("tls-client-key-file-pass", SECRET + "put it in a Redis config file instead"),
      Map.entry("user", SECRET + "ACL rules may hold passwords; use --aclfile"),
      Map.entry("replicaof", AGENT + "the agent decides who replicates from whom"),
      Map.entry("slaveof", AGENT + "the agent decides who replicates from whom"),
      Map.entry("port", AGENT + "set redis.port"),
      Map.entry("dir", AGENT + "set redis.data_dir"),
      Map.entry("save", PERSISTENCE + "set persistence.save"),
      Map.entry("appendonly", PERSISTENCE + "set persistence.appendonly"),
      Map.entry("appendfsync", PERSISTENCE + "set persistence.appendfsync"));

  private ExtraArgs() {}

  /** What is wrong with one argument, if anything. */
  static Optional<String> trouble(String arg) {
    String option = optionName(arg);
    if (REFUSED.containsKey(option)) {
      // The value is never echoed: for the secret options it is the secret.
      return Optional.of("--" + option + " " + REFUSED.get(option));
    }
    if (!arg.startsWith("--") || option.isEmpty()) {
      return Optional.of(
          "must be one \"--name value\" option starting with \"--\", got " + Values.show(arg));
    }
    return Optional.empty();
  }

  // "--requirepass x", "requirepass x" and "--requirepass=x" all name requirepass; Redis option
  // names are case-insensitive.
  private static String optionName(String arg) {
    String rest = arg.strip();
    while (rest.startsWith("-")) {
      rest = rest.substring(1);
    }
    int end = 0;
    while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))
        && rest.charAt(end) != '=') {
      end++;
    }
    return rest.substring(0, end).toLowerCase(Locale.ROOT);
  }
}
