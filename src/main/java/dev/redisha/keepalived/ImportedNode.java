package dev.redisha.keepalived;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a keepalived node becomes in redis-ha: the values of its node YAML, where each came from,
 * and what was not carried over. The Redis password is held here only to be written to its file.
 *
 * @param sources one line per mapped value: which redis-ha field, from which keepalived line
 * @param leftovers every keepalived option not carried over, with its line and the reason
 */
public record ImportedNode(
    String group,
    String nodeId,
    int priority,
    String address,
    int redisPort,
    List<Peer> peers,
    long advertIntervalMs,
    boolean preempt,
    long preemptDelayMs,
    Optional<Vip> vip,
    Map<String, Hook> hooks,
    Optional<Password> password,
    List<String> sources,
    List<Leftover> leftovers) {

  public ImportedNode {
    peers = List.copyOf(peers);
    hooks = Map.copyOf(hooks);
    sources = List.copyOf(sources);
    leftovers = List.copyOf(leftovers);
  }

  public record Peer(String nodeId, String address) {}

  /** @param arpingCount gratuitous ARPs after taking the address, if the config said */
  public record Vip(String address, int prefixLength, String device, Optional<Integer> arpingCount) {}

  /**
   * A notify script: written as an active hook, or as a comment when it must not or cannot run
   * ({@code disabledBecause}).
   */
  public record Hook(Path script, Optional<String> disabledBecause) {}

  /** The Redis password and where it was found (a script and line; never the value). */
  public record Password(byte[] value, String foundAt) {
    @Override
    public String toString() {
      return "Password[found at " + foundAt + "]";
    }
  }

  /** A keepalived option that has no place in the node YAML. */
  public record Leftover(String option, int line, String reason) {}
}
