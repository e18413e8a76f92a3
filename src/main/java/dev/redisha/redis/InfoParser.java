package dev.redisha.redis;

import dev.redisha.redis.RedisInfo.ConnectedReplica;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses the text of {@code INFO} (any subset of sections) into a {@link RedisInfo}. */
public final class InfoParser {
  private InfoParser() {}

  public static RedisInfo parse(String text) {
    // Scanned by index, not split by a regex: every probe parses a whole INFO (about 5 KB,
    // 20 times a second per server probed), and the regex split was most of a probe's CPU.
    Map<String, String> fields = new HashMap<>(256);
    int n = text.length();
    for (int start = 0; start < n; ) {
      int nl = text.indexOf('\n', start);
      int next = nl < 0 ? n : nl + 1;
      int end = nl < 0 ? n : nl;
      if (end > start && text.charAt(end - 1) == '\r') {
        end--;
      }
      if (end > start && text.charAt(start) != '#') {
        int colon = text.indexOf(':', start);
        if (colon > start && colon < end) {
          fields.put(text.substring(start, colon), text.substring(colon + 1, end).trim());
        }
      }
      start = next;
    }
    List<ConnectedReplica> replicas = new ArrayList<>();
    long keys = 0;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("slave") && Character.isDigit(k.charAt(k.length() - 1))) {
        Map<String, String> kv = pairs(e.getValue());
        replicas.add(
            new ConnectedReplica(
                kv.getOrDefault("ip", ""),
                (int) num(kv.get("port")),
                kv.getOrDefault("state", ""),
                num(kv.get("offset")),
                num(kv.get("lag"))));
      } else if (k.startsWith("db") && k.length() > 2 && Character.isDigit(k.charAt(2))) {
        keys += num(pairs(e.getValue()).get("keys"));
      }
    }
    return new RedisInfo(
        fields.getOrDefault("run_id", ""),
        fields.getOrDefault("role", ""),
        fields.getOrDefault("master_replid", ""),
        num(fields.get("master_repl_offset")),
        fields.getOrDefault("master_host", ""),
        (int) num(fields.get("master_port")),
        "up".equals(fields.get("master_link_status")),
        "1".equals(fields.get("master_sync_in_progress")),
        replicas,
        keys,
        "1".equals(fields.get("loading")),
        fields);
  }

  private static Map<String, String> pairs(String value) {
    Map<String, String> out = new HashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return out;
  }

  private static long num(String s) {
    if (s == null || s.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
