package dev.redisha.redis;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a redis-server exited at start, in one line taken from its own log. A config error is
 * printed as a block ("*** FATAL CONFIG FILE ERROR", "at line N", "&gt;&gt;&gt; 'the line'", the
 * complaint) whose last line alone ("Bad directive or wrong number of arguments") does not say
 * which option; other start failures end with a warning-level ("#") line such as "Failed
 * listening on port 6379 (TCP), aborting."
 */
public final class RedisExitReason {
  /** "12345:M 02 Dec 2026 02:39:14.799 # ": the same failure must read the same on every retry. */
  private static final Pattern LOG_PREFIX =
      Pattern.compile("^\\d+:[A-Za-z] \\d+ \\w+ \\d+ [\\d:.]+ ([#*.-]) ");
  private static final String FATAL = "*** FATAL CONFIG FILE ERROR";
  private static final Pattern AT_LINE = Pattern.compile("Reading the configuration file, at line (\\d+)");
  /** Printed first by every start from standard input: where this run's lines begin. */
  private static final String RUN_START = "Reading config from stdin";
  /** Lines the agent writes with a password in them; Redis echoes a rejected line verbatim. */
  private static final Set<String> SECRET_OPTIONS =
      Set.of("requirepass", "masterauth", "user", "tls-key-file-pass", "tls-client-key-file-pass");

  private RedisExitReason() {}

  /**
   * @param tail the last lines of the server's log (redis.log holds every run; only the lines
   *     after the last start count)
   * @param launch what it was started with, to tell an option from redis.extra_args apart from
   *     one the agent wrote
   */
  public static String of(List<String> tail, RedisLaunch launch) {
    List<String> run = tail;
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (tail.get(i).contains(RUN_START)) {
        run = tail.subList(i + 1, tail.size());
        break;
      }
    }
    if (run.isEmpty()) {
      return "redis.log says nothing about it";
    }
    for (int i = 0; i < run.size(); i++) {
      if (run.get(i).startsWith(FATAL)) {
        return configError(run.subList(i, run.size()), launch);
      }
    }
    for (int i = run.size() - 1; i >= 0; i--) {
      Matcher m = LOG_PREFIX.matcher(run.get(i));
      if (m.find() && m.group(1).equals("#")) {
        return run.get(i).substring(m.end());
      }
    }
    return LOG_PREFIX.matcher(run.get(run.size() - 1)).replaceFirst("");
  }

  private static String configError(List<String> block, RedisLaunch launch) {
    int line = -1;
    String echoed = "";
    String complaint = "";
    for (String l : block.subList(1, block.size())) {
      Matcher m = AT_LINE.matcher(l);
      if (m.find()) {
        line = Integer.parseInt(m.group(1));
      } else if (l.startsWith(">>> ")) {
        echoed = l.substring(4);
      } else if (!l.isBlank() && complaint.isEmpty()) {
        complaint = l.strip();
      }
    }
    List<String> lines = launch.configLines();
    int firstExtra = lines.size() - (int) launch.extraArgs().stream().filter(a -> a.startsWith("--")).count();
    boolean fromExtraArgs = line > firstExtra && line <= lines.size();
    if (secret(echoed)) {
      echoed = "line " + line + ", not shown because it holds a password";
    }
    return "FATAL CONFIG FILE ERROR: " + echoed + (fromExtraArgs ? " (from redis.extra_args)" : "")
        + ": " + complaint;
  }

  /** The log lines with Redis' echo of a rejected line left out when that line holds a password. */
  public static List<String> withoutSecrets(List<String> lines) {
    return lines.stream().filter(l -> !(l.startsWith(">>> ") && secret(l.substring(4)))).toList();
  }

  private static boolean secret(String echoed) {
    String option = echoed.replaceFirst("^'", "").split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
    return SECRET_OPTIONS.contains(option);
  }
}
