package dev.redisha.coordination.peer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Decides which authentic adverts the coordinator may believe: those from a configured peer that
 * only one agent claims, that are strictly newer than the last one taken from that peer, and that
 * echo this agent's current bootId. No check reads a wall clock, so two hosts' clocks never have
 * to agree (issue 9, item 8).
 *
 * <p>What it promises, and where each promise ends:
 *
 * <ul>
 *   <li><b>Fresh.</b> An advert is delivered only if its {@code heardBoots} names this agent's
 *       current bootId, so it was sent after the sender heard this boot of ours. A packet captured
 *       before this agent (re)started can never be delivered again: it cannot echo a bootId that
 *       did not exist yet. The price is one round trip at start: a peer's adverts are {@link
 *       RejectReason#UNCONFIRMED} until it has heard us (the transport answers a newly heard boot
 *       at once, so that is one network round trip, not an advert interval). Within one boot the
 *       echo bounds nothing: a man in the middle who withholds datagrams and releases them later
 *       can present an old state, as network delay could; silence is judged by local receive
 *       times, so withholding looks like a silent peer, not a live one.
 *   <li><b>Newer.</b> Per node id, (bootId, seq) strictly increases: a duplicate or an older
 *       packet of the same boot is {@link RejectReason#REPLAYED}, and so is a whole older boot
 *       from the same address. A bootId is the sender's start time by its own clock, kept higher
 *       than its last start's ({@link BootIds}, in the sender's state directory), and is compared
 *       only with that sender's earlier bootIds, so a sender whose clock stepped back across its
 *       restart still starts a newer boot. Only one that also lost its state directory is taken
 *       for a replay until this agent restarts (the REPLAYED counter shows it); adverts of the same bootId from a new address are taken as the sender
 *       moving (NAT rebinding) and still must have a higher seq, so a capture sent from another
 *       address is still a replay.
 *   <li><b>One claimant.</b> Two source addresses that each send a sequence (two or more
 *       adverts of one boot, in order) for one node id with two different bootIds, within the
 *       claim window, are a conflict: every advert of that node id is {@link
 *       RejectReason#DUPLICATE_NODE_ID} until only one address has made progress for a whole
 *       window. Before the second sequence, an advert from another address with another bootId is
 *       refused while the known address is live (DUPLICATE_NODE_ID if its boot is later, REPLAYED
 *       if earlier), so a single packet can neither take a node id over nor raise a conflict.
 *       Once the known address has been quiet for a window, a different address takes the node id
 *       over whatever its bootId (the real agent back after an impostor with a later start time
 *       stopped); the same address never goes back to an older boot. Replay state is kept per
 *       node id, not per (node id, address): per-address state would let a capture sent from a
 *       fresh address count as new, and taking over only after a quiet window is the reset that
 *       frees the real node from an impostor's higher bootId. Residual risks: an agent restarted
 *       on a new address within a window of its last advert waits one window (a conflict if it
 *       keeps sending meanwhile); someone who captured a sequence of an older boot's adverts and
 *       sends it from another address makes this agent report a duplicate and ignore the node
 *       while they keep sending (loud, never a wrong state); and once a node has been quiet for a
 *       window, a capture of its current boot (taken after this agent started) sent from another
 *       address is accepted like that node moving.
 *   <li><b>Bounded.</b> An unknown node id is rejected without being remembered, and at most
 *       {@link #MAX_SOURCES_PER_NODE} addresses are remembered per peer, so a flood of invented
 *       node ids or spoofed sources cannot grow the table.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ReplayGuard {
  static final int MAX_SOURCES_PER_NODE = 4;
  /** Adverts in order from one address before it counts as an agent claiming the node id. */
  static final int MIN_PROGRESS = 2;

  private final String selfId;
  private final long selfBootId;
  private final long claimWindowMillis;
  private final LongSupplier monotonicMillis;
  private final Map<String, Peer> peers = new HashMap<>();

  /**
   * @param selfId this agent's node id, the key peers echo our bootId under
   * @param selfBootId this agent's bootId ({@link AdvertSequencer#bootId()})
   * @param peerIds the node ids adverts are accepted from
   * @param claimWindow how long an address that claimed a node id counts as a live claimant
   * @param monotonicMillis a monotonic clock in ms (never the wall clock)
   */
  public ReplayGuard(
      String selfId,
      long selfBootId,
      Set<String> peerIds,
      Duration claimWindow,
      LongSupplier monotonicMillis) {
    if (claimWindow.isNegative() || claimWindow.isZero()) {
      throw new IllegalArgumentException("claim window must be positive: " + claimWindow);
    }
    this.selfId = Objects.requireNonNull(selfId, "selfId");
    this.selfBootId = selfBootId;
    this.claimWindowMillis = claimWindow.toMillis();
    this.monotonicMillis = monotonicMillis;
    for (String id : peerIds) {
      peers.put(id, new Peer());
    }
  }

  public long selfBootId() {
    return selfBootId;
  }

  /**
   * Checks one authentic advert. A rejected advert changes nothing but the claims, except an
   * {@link RejectReason#UNCONFIRMED} one: it is in order, so its bootId is remembered to be
   * echoed (see {@link #heardBoots()}), which is how the first round trip completes.
   *
   * @param source the datagram's source address
   */
  public synchronized Verdict admit(Advert advert, InetSocketAddress source) {
    Peer peer = peers.get(advert.nodeId());
    if (peer == null) {
      return Verdict.reject(RejectReason.UNKNOWN_PEER);
    }
    long now = monotonicMillis.getAsLong();
    peer.claim(source, advert.bootId(), advert.seq(), now, claimWindowMillis);
    if (peer.conflict().isPresent()) {
      return Verdict.reject(RejectReason.DUPLICATE_NODE_ID);
    }
    if (peer.seen) {
      Optional<RejectReason> refused = refusal(peer, source, advert, now);
      if (refused.isPresent()) {
        return Verdict.reject(refused.get());
      }
    }
    peer.seen = true;
    peer.source = source;
    peer.bootId = advert.bootId();
    peer.seq = advert.seq();
    Long echoed = advert.heardBoots().get(selfId);
    if (echoed == null || echoed != selfBootId) {
      return Verdict.reject(RejectReason.UNCONFIRMED);
    }
    return Verdict.accept(advert);
  }

  /**
   * Why an advert of a peer already heard may not be taken, if it may not. From the address the
   * peer was last taken from, or with the same bootId (the peer's address changed, NAT
   * rebinding), it must be newer. From another address with another bootId it is a second agent
   * while the last address is still making progress: DUPLICATE_NODE_ID if its boot is later (not
   * yet a reported conflict: that needs a sequence from both), REPLAYED if earlier (a capture of
   * an older boot sent from elsewhere). Once the last address has been quiet for a whole claim
   * window the new one takes the node id over, whatever its bootId: the real agent back after an
   * impostor with a later start time stopped.
   */
  private Optional<RejectReason> refusal(Peer peer, InetSocketAddress source, Advert a, long now) {
    if (source.equals(peer.source) || a.bootId() == peer.bootId) {
      return isNewer(a, peer) ? Optional.empty() : Optional.of(RejectReason.REPLAYED);
    }
    if (!peer.live(peer.source, now, claimWindowMillis)) {
      return Optional.empty();
    }
    return Optional.of(a.bootId() > peer.bootId ? RejectReason.DUPLICATE_NODE_ID : RejectReason.REPLAYED);
  }

  private static boolean isNewer(Advert a, Peer last) {
    return a.bootId() > last.bootId || (a.bootId() == last.bootId && a.seq() > last.seq);
  }

  /** For each peer heard in order, its bootId as last taken: what this agent's adverts echo. */
  public synchronized Map<String, Long> heardBoots() {
    Map<String, Long> out = new LinkedHashMap<>();
    peers.forEach(
        (id, p) -> {
          if (p.seen) {
            out.put(id, p.bootId);
          }
        });
    return out;
  }

  /** The bootId last taken from one peer, if any. */
  public synchronized Optional<Long> heardBoot(String nodeId) {
    Peer p = peers.get(nodeId);
    return p == null || !p.seen ? Optional.empty() : Optional.of(p.bootId);
  }

  /**
   * The node ids claimed by more than one live agent now, each with its claimants (address and
   * bootId, ordered by address). Forgets claimants not heard for a window first, so a conflict
   * clears with time even if no advert arrives.
   */
  public synchronized Map<String, List<Claimant>> conflicts() {
    long now = monotonicMillis.getAsLong();
    Map<String, List<Claimant>> out = new HashMap<>();
    peers.forEach(
        (id, p) -> {
          p.forgetSilent(now, claimWindowMillis);
          p.conflict().ifPresent(c -> out.put(id, c));
        });
    return out;
  }

  /** One address that sent authentic adverts for a node id, and the newest bootId it sent. */
  public record Claimant(InetSocketAddress source, long bootId) {}

  private static final class Peer {
    boolean seen;
    InetSocketAddress source;
    long bootId;
    long seq;
    final List<Claim> claims = new ArrayList<>(MAX_SOURCES_PER_NODE);

    void claim(InetSocketAddress from, long boot, long seq, long now, long window) {
      forgetSilent(now, window);
      for (Claim c : claims) {
        if (c.source.equals(from)) {
          // Only progress counts (a newer boot, or a higher seq of the same boot): a replayed
          // older packet from the same address neither is a second agent nor keeps a claim alive.
          if (boot > c.bootId) {
            c.bootId = boot;
            c.seq = seq;
            c.progress = 1;
            c.lastHeard = now;
          } else if (boot == c.bootId && seq > c.seq) {
            c.seq = seq;
            c.progress++;
            c.lastHeard = now;
          }
          return;
        }
      }
      if (claims.size() == MAX_SOURCES_PER_NODE) {
        Claim oldest = claims.get(0);
        for (Claim c : claims) {
          if (c.lastHeard < oldest.lastHeard) {
            oldest = c;
          }
        }
        claims.remove(oldest);
      }
      claims.add(new Claim(from, boot, seq, now));
    }

    /** Whether this address made progress within the window. */
    boolean live(InetSocketAddress source, long now, long window) {
      return claims.stream().anyMatch(c -> c.source.equals(source) && now - c.lastHeard < window);
    }

    void forgetSilent(long now, long window) {
      claims.removeIf(c -> now - c.lastHeard >= window);
    }

    Optional<List<Claimant>> conflict() {
      // A claimant is an address that sent a sequence (two or more adverts of one boot in order):
      // a single replayed packet from a new address is a replay, not a second agent.
      List<Claim> live = claims.stream().filter(c -> c.progress >= MIN_PROGRESS).toList();
      long firstBoot = live.isEmpty() ? 0 : live.get(0).bootId;
      if (live.stream().allMatch(c -> c.bootId == firstBoot)) {
        // One address, or several with one boot (one agent whose address changed, or copies of
        // its packets): a replay question, not two agents.
        return Optional.empty();
      }
      return Optional.of(
          live.stream()
              .map(c -> new Claimant(c.source, c.bootId))
              .sorted((x, y) -> x.source().toString().compareTo(y.source().toString()))
              .toList());
    }
  }

  private static final class Claim {
    final InetSocketAddress source;
    long bootId;
    long seq;
    int progress = 1;
    long lastHeard;

    Claim(InetSocketAddress source, long bootId, long seq, long lastHeard) {
      this.source = source;
      this.bootId = bootId;
      this.seq = seq;
      this.lastHeard = lastHeard;
    }
  }
}
