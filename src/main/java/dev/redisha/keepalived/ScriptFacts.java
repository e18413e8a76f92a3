package dev.redisha.keepalived;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a keepalived user's shell script tells about the Redis setup: the password given to
 * {@code redis-cli -a} (the seed's way, visible in {@code ps}), the port after {@code -p}, the
 * IPv4 addresses it names, and whether it changes Redis' role itself ({@code SLAVEOF},
 * {@code REPLICAOF}) or the network ({@code killall keepalived}, {@code service network
 * restart}), which the agent does itself and which must not run as one of its hooks.
 * The password is kept as found and never put in a message.
 */
public record ScriptFacts(
    Path file,
    List<Found> passwords,
    List<Found> unreadablePasswords,
    List<Found> ports,
    List<Found> addresses,
    List<Found> roleChanges) {

  /** A value found on a line of the script (1-based); {@code value} of a password is secret. */
  public record Found(String value, int line) {}

  // -a PASS / --pass PASS / -a 'PASS' / -a "PASS", on a line that runs redis-cli.
  private static final Pattern PASSWORD = Pattern.compile(
      "(?:^|\\s)(?:-a|--pass)\\s+(?:'([^']*)'|\"([^\"]*)\"|([^\\s'\"`;|&)]+))");
  private static final Pattern AUTH_ENV = Pattern.compile(
      "(?:^|[\\s;])(?:export\\s+)?REDISCLI_AUTH=(?:'([^']*)'|\"([^\"]*)\"|([^\\s'\"`;|&)]+))");
  private static final Pattern PORT = Pattern.compile("(?:^|\\s)-p\\s+(\\d{1,5})(?=[\\s\"'`);]|$)");
  private static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(\\d{1,3}(?:\\.\\d{1,3}){3})(?![\\d.])");
  private static final Pattern ROLE = Pattern.compile(
      "(?i)\\b(slaveof|replicaof)\\b|\\bkillall\\b[^\\n]*\\bkeepalived\\b|\\bservice\\s+network\\s+restart\\b"
          + "|\\bip\\s+(?:addr|address|a)\\s+(?:add|del)\\b");
  // A script is a few lines; anything bigger is not one of the user's keepalived scripts.
  private static final long MAX_BYTES = 256 * 1024;

  /** Reads {@code file}; empty if it is not a readable text file of reasonable size. */
  public static Optional<ScriptFacts> read(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
        return Optional.empty();
      }
      byte[] bytes = Files.readAllBytes(file);
      for (byte b : bytes) {
        if (b == 0) {
          return Optional.empty();
        }
      }
      return Optional.of(of(file, new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static ScriptFacts of(Path file, String text) {
    List<Found> passwords = new ArrayList<>();
    List<Found> unreadable = new ArrayList<>();
    List<Found> ports = new ArrayList<>();
    List<Found> addresses = new ArrayList<>();
    List<Found> roles = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      int number = i + 1;
      if (line.startsWith("#")) {
        continue;
      }
      if (line.contains("redis-cli")) {
        collect(PASSWORD.matcher(line), number, passwords, unreadable);
        Matcher port = PORT.matcher(line);
        while (port.find()) {
          ports.add(new Found(port.group(1), number));
        }
      }
      collect(AUTH_ENV.matcher(line), number, passwords, unreadable);
      Matcher ip = IPV4.matcher(line);
      while (ip.find()) {
        addresses.add(new Found(ip.group(1), number));
      }
      Matcher role = ROLE.matcher(line);
      if (role.find()) {
        roles.add(new Found(role.group().replaceAll("\\s+", " "), number));
      }
    }
    return new ScriptFacts(file, passwords, unreadable, ports, addresses, roles);
  }

  /** A value that is a shell expansion ($VAR, $(cmd)) cannot be known without running the script. */
  private static void collect(Matcher m, int line, List<Found> values, List<Found> unreadable) {
    while (m.find()) {
      String value = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      boolean expands = value.contains("$") && m.group(1) == null;
      (expands ? unreadable : values).add(new Found(value, line));
    }
  }

  /** The script's name and a line, for messages: {@code redis_master.sh line 4}. */
  public String at(int line) {
    return file.getFileName() + " line " + line;
  }
}
