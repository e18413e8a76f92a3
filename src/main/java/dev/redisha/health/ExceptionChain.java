package dev.redisha.health;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a Jedis error was underneath. Jedis wraps the socket error, sometimes as a suppressed
 * exception of a per-address attempt ("Failed to connect to host:port."), so both the cause and
 * the suppressed chains are searched.
 */
final class ExceptionChain {
  private ExceptionChain() {}

  static boolean anyMatch(Throwable e, Predicate<Throwable> test) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Throwable> pending = new ArrayDeque<>();
    if (e != null) {
      pending.add(e);
    }
    // Cause and suppressed chains can form cycles; walk them as a graph, each node once.
    while (!pending.isEmpty() && seen.size() < 32) {
      Throwable t = pending.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (test.test(t)) {
        return true;
      }
      if (t.getCause() != null) {
        pending.add(t.getCause());
      }
      pending.addAll(Arrays.asList(t.getSuppressed()));
    }
    return false;
  }
}
