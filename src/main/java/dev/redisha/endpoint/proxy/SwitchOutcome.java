package dev.redisha.endpoint.proxy;

import java.util.Map;

/**
 * What a {@link RedisProxy#switchTo} did with the connections it held.
 *
 * @param moved connections now on the new master, the client none the wiser
 * @param closed connections that had to be closed, by reason ("subscribed, monitoring or
 *     replicating", "still had replies outstanding", ...)
 */
public record SwitchOutcome(int moved, Map<String, Integer> closed) {
  public SwitchOutcome {
    closed = Map.copyOf(closed);
  }

  public int closedCount() {
    return closed.values().stream().mapToInt(Integer::intValue).sum();
  }
}
