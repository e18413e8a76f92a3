package dev.redisha.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redisha.testsupport.BenchFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a takeover's milliseconds go, for bench/netns: the new master's promote event gives each
 * step as ms since its detection ({@code t_*_ms}, see the controller's {@code StepClock}) and the
 * detection's wall-clock time, so with the fault's wall-clock time (one machine, one clock) every
 * step becomes ms since the fault.
 */
final class TakeoverSteps {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Event field to the table's label, in the order the steps happen. */
  private static final Map<String, String> STEPS = new LinkedHashMap<>();

  static {
    STEPS.put("t_last_answer_ms", "old master's Redis last answered my probe");
    STEPS.put("t_last_advert_ms", "old master's agent last heard");
    STEPS.put("t_evidence_ms", "evidence (my probe: refused / no answer)");
    STEPS.put("t_silence_ms", "agent silent for the down time");
    STEPS.put("detection", "detection (all conditions hold)");
    STEPS.put("t_loop_woke_ms", "decision loop woke");
    STEPS.put("t_policy_decided_ms", "policy decided");
    STEPS.put("t_decided_ms", "decision recorded, controller starts");
    STEPS.put("t_local_info_ms", "local INFO read");
    STEPS.put("t_fenced_ms", "old master fenced");
    STEPS.put("t_epoch_committed_ms", "epoch committed (state.json fsync'd)");
    STEPS.put("t_promoted_ms", "REPLICAOF NO ONE done");
    STEPS.put("t_vip_added_ms", "VIP added (ip addr add)");
    STEPS.put("t_arp_1_ms", "first gratuitous ARP sent");
    STEPS.put("t_endpoint_vip_ms", "VIP endpoint done");
    STEPS.put("t_endpoint_proxy_ms", "proxy switched");
    STEPS.put("t_endpoint_sentinel_ms", "Sentinel endpoint switched");
    STEPS.put("t_endpoints_ms", "all endpoints switched");
  }

  private TakeoverSteps() {}

  /**
   * The steps of the first promotion after the fault in {@code events}, as ms since {@code
   * faultAt} (wall ms); empty when there is none with timings.
   */
  static Map<String, Double> read(Path events, long faultAt) throws IOException {
    Map<String, Double> steps = new LinkedHashMap<>();
    if (!Files.exists(events)) {
      return steps;
    }
    for (String line : Files.readAllLines(events)) {
      JsonNode e = JSON.readTree(line);
      JsonNode f = e.path("fields");
      if (!e.path("type").asText().equals("promote") || !f.has("detected_wall_ms")) {
        continue;
      }
      double detection = f.get("detected_wall_ms").asLong() - (double) faultAt;
      if (detection < -1000) {
        continue; // an earlier promotion (the first master's)
      }
      for (String name : STEPS.keySet()) {
        if (name.equals("detection")) {
          steps.put(name, detection);
        } else if (f.has(name)) {
          steps.put(name, detection + f.get(name).asDouble());
        }
      }
      break;
    }
    return steps;
  }

  /** Median and p90 of each step over the trials, ms since the fault, and the median step length. */
  static String table(String fault, List<Map<String, Double>> trials) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "where the milliseconds go, %s (ms since the fault; step = since the step before, per trial):%n", fault));
    out.append(String.format(Locale.ROOT, "  %-46s %4s %8s %8s %8s%n", "step", "n", "median", "p90", "step"));
    List<String> labels = new ArrayList<>(STEPS.keySet());
    for (Map<String, Double> t : trials) {
      t.keySet().stream().filter(k -> !labels.contains(k)).forEach(labels::add);
    }
    List<String> chain = new ArrayList<>(STEPS.keySet());
    chain = chain.subList(chain.indexOf("detection"), chain.size());
    for (String name : labels) {
      List<Double> at = new ArrayList<>();
      List<Double> step = new ArrayList<>();
      for (Map<String, Double> t : trials) {
        Double v = t.get(name);
        if (v == null) {
          continue;
        }
        at.add(v);
        // The step's own length: since the step before it in this trial (detection first).
        for (int i = chain.indexOf(name) - 1; i >= 0; i--) {
          if (t.containsKey(chain.get(i))) {
            step.add(v - t.get(chain.get(i)));
            break;
          }
        }
      }
      if (at.isEmpty()) {
        continue;
      }
      Collections.sort(at);
      Collections.sort(step);
      out.append(String.format(Locale.ROOT, "  %-46s %4d %8.1f %8.1f %8s%n", STEPS.getOrDefault(name, name), at.size(),
          BenchFigures.rank(at, 50), BenchFigures.rank(at, 90),
          step.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f", BenchFigures.rank(step, 50))));
    }
    return out.toString();
  }
}
