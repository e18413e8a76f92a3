package dev.redisha.coordination.peer;

import dev.redisha.coordination.peer.PeerLinkProblem.Kind;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Turns what the receive path sees into {@link PeerLinkProblem}s: MAC failures from a peer's
 * address (different keys), adverts that never echo us (the peer does not hear us), two agents
 * under one node id, and clock skew. Each is something an operator must fix and that would
 * otherwise look like a silent peer. Thread-safe.
 */
final class PeerLinkWatch {
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final PeerLinkRules rules;
  private final ReplayGuard guard;
  private final PeerAddresses addresses;
  private final LongSupplier monotonicMillis;
  private final LongSupplier wallMillis;
  private final ProblemBoard board = new ProblemBoard();
  private final Map<String, Streak> authFailures = new HashMap<>();
  private final Map<String, Streak> unconfirmed = new HashMap<>();
  private final Map<String, ClockSkewEstimate> skews = new HashMap<>();
  private final Map<String, Long> loggedSkew = new HashMap<>();

  PeerLinkWatch(
      PeerLinkRules rules,
      ReplayGuard guard,
      PeerAddresses addresses,
      LongSupplier monotonicMillis,
      LongSupplier wallMillis) {
    this.rules = rules;
    this.guard = guard;
    this.addresses = addresses;
    this.monotonicMillis = monotonicMillis;
    this.wallMillis = wallMillis;
  }

  /** A datagram from this source failed the MAC. */
  synchronized void badMac(InetSocketAddress source) {
    addresses.attribute(source).ifPresent(peer -> {
      long now = monotonicMillis.getAsLong();
      Streak s = authFailures.computeIfAbsent(peer, p -> new Streak(now, wallMillis.getAsLong()));
      s.failed(now);
      if (now - s.firstMono >= rules.failingAfterMillis()) {
        board.raise(peer, Kind.AUTH_FAILING,
            "peer " + peer + "'s adverts fail authentication: the group keys differ ("
                + s.count + " dropped since " + clockTime(s.firstWall) + ")",
            "keys differ", s.firstMono);
      }
    });
  }

  /** An advert with a valid MAC and group arrived under this node id (believed or not). */
  synchronized void authentic(String nodeId) {
    if (authFailures.remove(nodeId) != null) {
      board.clear(nodeId, Kind.AUTH_FAILING, "peer " + nodeId + "'s adverts authenticate again");
    }
  }

  /** An authentic, in-order advert that does not echo our boot yet. */
  synchronized void unconfirmed(Advert a, InetSocketAddress source) {
    inOrder(a, source);
    long now = monotonicMillis.getAsLong();
    Streak s = unconfirmed.computeIfAbsent(a.nodeId(), p -> new Streak(now, wallMillis.getAsLong()));
    s.failed(now);
    if (now - s.firstMono >= rules.failingAfterMillis()) {
      board.raise(a.nodeId(), Kind.NOT_HEARD_BY_PEER,
          "peer " + a.nodeId() + " does not hear this agent: its adverts arrive but none echoes"
              + " this agent's boot (" + s.count + " since " + clockTime(s.firstWall) + "); check the"
              + " firewall and the advert_address " + a.nodeId() + "'s config gives for this node"
              + " (or " + a.nodeId() + " runs a version that does not echo)",
          "not heard", s.firstMono);
    }
  }

  /** An advert handed to the coordinator. */
  synchronized void delivered(Advert a, InetSocketAddress source) {
    inOrder(a, source);
    if (unconfirmed.remove(a.nodeId()) != null) {
      board.clear(a.nodeId(), Kind.NOT_HEARD_BY_PEER, "peer " + a.nodeId() + " hears this agent again");
    }
  }

  private void inOrder(Advert a, InetSocketAddress source) {
    addresses.heard(a.nodeId(), source);
    ClockSkewEstimate e = skews.computeIfAbsent(a.nodeId(), p -> new ClockSkewEstimate());
    e.add(wallMillis.getAsLong(), a.sentAtMillis());
    if (!e.known()) {
      return;
    }
    long skew = e.oursMinusTheirsMillis();
    long threshold = rules.skewThresholdMillis();
    long magnitude = skew == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(skew);
    if (magnitude > threshold) {
      String side = skew > 0 ? "behind" : "ahead of";
      // Logged again only when the skew moved by a threshold or more since it was last logged,
      // not whenever the delay jitters.
      Long logged = loggedSkew.get(a.nodeId());
      if (logged == null || !board.present(a.nodeId(), Kind.CLOCK_SKEW)
          || Math.abs((double) skew - logged) >= threshold) {
        logged = skew;
        loggedSkew.put(a.nodeId(), skew);
      }
      board.raise(a.nodeId(), Kind.CLOCK_SKEW,
          "clock skew with " + a.nodeId() + ": " + seconds(magnitude) + " (" + a.nodeId()
              + "'s wall clock is " + side + " this host's; adverts are unaffected, compare"
              + " the two hosts' log times with care and check NTP)",
          logged, monotonicMillis.getAsLong());
    } else if (magnitude <= threshold / 2) {
      // Half the threshold to clear, so a skew near it does not log on every other advert.
      board.clear(a.nodeId(), Kind.CLOCK_SKEW,
          "clock of " + a.nodeId() + " agrees with this host's again (within " + seconds(magnitude) + ")");
    }
  }

  /**
   * Brings the time-based parts up to date: conflicts whose window passed, failures whose
   * datagrams stopped. Called on every send and every read of the problems.
   */
  synchronized void tick() {
    long now = monotonicMillis.getAsLong();
    long quiet = rules.claimWindow().toMillis();
    expire(authFailures, now, quiet, Kind.AUTH_FAILING, peer ->
        "no datagrams failing authentication from peer " + peer + "'s address for " + seconds(quiet));
    expire(unconfirmed, now, quiet, Kind.NOT_HEARD_BY_PEER, peer ->
        "no adverts from peer " + peer + " for " + seconds(quiet) + "; it may be down");
    Map<String, List<ReplayGuard.Claimant>> conflicts = guard.conflicts();
    conflicts.forEach((id, claimants) -> board.raise(id, Kind.DUPLICATE_NODE_ID,
        (claimants.size() == 2 ? "two" : claimants.size()) + " agents claim node id " + id + ": "
            + claimants.stream().map(c -> address(c.source()) + " (boot " + c.bootId() + ")")
                .collect(Collectors.joining(" and "))
            + "; none of its adverts are believed until only one is left",
        claimants, now));
    for (PeerLinkProblem p : board.problems()) {
      if (p.kind() == Kind.DUPLICATE_NODE_ID && !conflicts.containsKey(p.nodeId())) {
        board.clear(p.nodeId(), Kind.DUPLICATE_NODE_ID,
            "only one agent claims node id " + p.nodeId() + " now; its adverts are believed again");
      }
    }
  }

  private void expire(Map<String, Streak> streaks, long now, long quiet, Kind kind,
      java.util.function.Function<String, String> why) {
    for (Iterator<Map.Entry<String, Streak>> it = streaks.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Streak> e = it.next();
      if (now - e.getValue().lastMono >= quiet) {
        it.remove();
        board.clear(e.getKey(), kind, why.apply(e.getKey()));
      }
    }
  }

  synchronized List<PeerLinkProblem> problems() {
    tick();
    return board.problems();
  }

  Map<Kind, Long> onsets() {
    return board.onsets();
  }

  private static String address(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return host.contains(":") ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
  }

  private static String clockTime(long wallMillis) {
    return LocalTime.ofInstant(Instant.ofEpochMilli(wallMillis), ZoneId.systemDefault()).format(HH_MM_SS);
  }

  static String seconds(long millis) {
    if (millis >= 10_000) {
      return (millis == Long.MAX_VALUE ? "over 292 million years" : Math.round(millis / 1000.0) + " s");
    }
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** Failures of one kind from one peer since its last success. */
  private static final class Streak {
    final long firstMono;
    final long firstWall;
    long lastMono;
    long count;

    Streak(long firstMono, long firstWall) {
      this.firstMono = firstMono;
      this.firstWall = firstWall;
    }

    void failed(long now) {
      lastMono = now;
      count++;
    }
  }
}
