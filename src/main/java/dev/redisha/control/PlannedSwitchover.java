package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisCommands;
import dev.redisha.redis.RedisDialer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The zero-loss handover of DESIGN rule 3, as pause-and-catch-up: endpoints let go of this node,
 * pause writes on this master, wait until the target's replication offset has reached ours (read
 * from the target itself, so there is no waiting for its once-a-second acknowledgement, which is
 * what makes Redis' own FAILOVER take anything from 10 ms to a second), demote this node, promote
 * the target, resume. Nothing acknowledged is lost (the target has every byte), and at no instant
 * are there two masters (this node is demoted before the target is promoted).
 *
 * <p>Endpoints go first, before the pause, for the VIP's clients. Once the address has left this
 * host nothing this host sends from it gets out (the kernel has no route from an address it does
 * not hold), neither a reply nor the FIN of a closed connection. A command the pause held is
 * acknowledged at the TCP level within the delayed-ACK time (40 ms) and its client then waits,
 * unanswered, for its whole read timeout. A command sent after the address left is never
 * acknowledged here: the client's TCP sends it again after its retransmission timeout (200 ms
 * at least), by then to the new master's host, whose kernel resets the unknown connection, and
 * the client reconnects to the new master at once. Removing the address while Redis still answers
 * leaves nothing held: what arrived before is answered before, what arrives after is not taken.
 */
final class PlannedSwitchover {
  /** What happened, with step timings for the event log. */
  record Result(boolean success, String detail, Map<String, Object> steps) {}

  private final RedisDialer dialer;
  private final int timeoutMs;
  private final long budgetMs;

  PlannedSwitchover(RedisDialer dialer, int timeoutMs, long budgetMs) {
    this.dialer = dialer;
    this.timeoutMs = timeoutMs;
    this.budgetMs = budgetMs;
  }

  /**
   * How long {@link #awaitStreaming} waits: just over the second in which a replica's cron sends
   * its acknowledgement, which is what starts a stuck stream (see there).
   */
  static final long STREAMING_WAIT_MS = 1500;

  /**
   * Waits, with nothing held and nothing paused, until the target has received everything this
   * master had written when the wait began. After a diskless full sync, Redis streams to the new
   * replica only once an acknowledgement of it arrives after the transfer ended; the replica's
   * first one can arrive just before that, and then the next comes from its once-a-second cron.
   * All that time the replica reports its link up, and the master's INFO lists it online with an
   * acknowledged offset, but it receives nothing: inside the write pause that second was the
   * clients' (bench/failover measured 435-450 ms failback pauses in about one trial in ten).
   * Waited for here, the clients go on writing, and the pause covers only the last bytes.
   *
   * @return a failure (nothing was paused, no endpoint was touched) when the target is still
   *     behind that point after {@link #STREAMING_WAIT_MS}, or does not answer
   */
  Result awaitStreaming(RedisCommands local, HostPort target) {
    Map<String, Object> steps = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    try (RedisCommands next = dialer.open(target, timeoutMs)) {
      long mark = local.info().replOffset();
      long deadline = t0 + STREAMING_WAIT_MS * 1_000_000;
      // Polled gently: nothing is paused, the clients are writing meanwhile.
      long targetOffset = offsetReaching(next, mark, deadline, 1_000_000);
      steps.put("stream_wait_ms", ms(t0));
      if (targetOffset < mark) {
        return new Result(false, "the target is not receiving the replication stream: still " + (mark - targetOffset)
            + " bytes short of offset " + mark + " after " + STREAMING_WAIT_MS + " ms; nothing was paused", steps);
      }
      return new Result(true, "the target has offset " + mark, steps);
    } catch (JedisException e) {
      steps.put("stream_wait_ms", ms(t0));
      return new Result(false, "the target does not answer: " + e.getMessage() + "; nothing was paused", steps);
    }
  }

  /**
   * @param releaseEndpoints runs once the target answers, before writes are paused here: endpoints
   *     let go of this node (the VIP leaves this host); on a failure the caller gives them back
   */
  Result run(RedisCommands local, HostPort target, Runnable releaseEndpoints) {
    Map<String, Object> steps = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    boolean demoted = false;
    try (RedisCommands next = dialer.open(target, timeoutMs)) {
      // A target that does not answer ends the handover here, with the endpoints still in place.
      long targetOffset = next.info().replOffset();
      long t1 = System.nanoTime();
      releaseEndpoints.run();
      steps.put("endpoints_released_ms", ms(t1));
      // Redis lifts the pause by itself after this long, should this agent die mid-way.
      long pausedAt = System.nanoTime();
      local.pauseWrites(budgetMs + timeoutMs);
      long masterOffset = local.info().replOffset();
      long deadline = pausedAt + budgetMs * 1_000_000;
      // Polled closely: every microsecond here is the clients' pause.
      targetOffset = offsetReaching(next, masterOffset, deadline, 200_000);
      steps.put("catch_up_ms", ms(pausedAt));
      if (targetOffset < masterOffset) {
        local.unpause();
        return new Result(false, "the target stayed " + (masterOffset - targetOffset) + " bytes behind for "
            + budgetMs + " ms; writes resumed here", steps);
      }
      long t2 = System.nanoTime();
      local.replicateFrom(target);
      demoted = true;
      next.promote();
      steps.put("swap_ms", ms(t2));
      afterSwap(local);
      steps.put("pause_ms", ms(pausedAt));
      return new Result(true, "now a replica of " + target + " (offset " + masterOffset + " reached)", steps);
    } catch (JedisException e) {
      String undo = "";
      if (demoted) {
        // The target failed between our demotion and its promotion: take the role back, the
        // data here is complete.
        try {
          local.promote();
          undo = "; promoted back";
        } catch (JedisException again) {
          undo = "; could not promote back: " + again.getMessage();
        }
      }
      try {
        local.unpause();
      } catch (JedisException ignored) {
        // the pause ends by itself
      }
      return new Result(false, "switchover failed: " + e.getMessage() + undo, steps);
    }
  }

  /**
   * The target is master now, so nothing that fails here may undo the swap (promoting this node
   * back would make two masters): a client left connected gets READONLY at worst, and the pause
   * ends by itself.
   */
  private static void afterSwap(RedisCommands local) {
    try {
      local.dropNormalClients();
    } catch (JedisException e) {
      // see above
    }
    try {
      local.unpause();
    } catch (JedisException e) {
      // see above
    }
  }

  /** The target's offset once it has reached {@code mark}, or as it is at {@code deadline} ({@link System#nanoTime}). */
  private static long offsetReaching(RedisCommands target, long mark, long deadline, long pollNanos) {
    long offset = target.info().replOffset();
    while (offset < mark && System.nanoTime() < deadline) {
      LockSupport.parkNanos(pollNanos);
      offset = target.info().replOffset();
    }
    return offset;
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
