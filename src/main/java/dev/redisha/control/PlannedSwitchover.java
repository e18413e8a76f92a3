package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisControl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The zero-loss handover of DESIGN rule 3, as pause-and-catch-up: pause writes on this master,
 * wait until the target's replication offset has reached ours (read from the target itself, so
 * there is no waiting for its once-a-second acknowledgement, which is what makes Redis' own
 * FAILOVER take anything from 10 ms to a second), demote this node, promote the target, resume.
 * Nothing acknowledged is lost (the target has every byte), and at no instant are there two
 * masters (this node is demoted before the target is promoted).
 */
final class PlannedSwitchover {
  /** What happened, with step timings for the event log. */
  record Result(boolean success, String detail, Map<String, Object> steps) {}

  private final RedisConnector connector;
  private final int timeoutMs;
  private final long budgetMs;

  PlannedSwitchover(RedisConnector connector, int timeoutMs, long budgetMs) {
    this.connector = connector;
    this.timeoutMs = timeoutMs;
    this.budgetMs = budgetMs;
  }

  /**
   * @param beforeDemotion runs once the target has caught up, just before this node's Redis is
   *     demoted (endpoints let go of this node here)
   */
  Result run(RedisControl local, HostPort target, Runnable beforeDemotion) {
    Map<String, Object> steps = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    boolean demoted = false;
    try (RedisControl next = new RedisControl(connector, target, timeoutMs)) {
      // Redis lifts the pause by itself after this long, should this agent die mid-way.
      local.pauseWrites(budgetMs + timeoutMs);
      long masterOffset = local.info().replOffset();
      long deadline = t0 + budgetMs * 1_000_000;
      long targetOffset = next.info().replOffset();
      while (targetOffset < masterOffset && System.nanoTime() < deadline) {
        LockSupport.parkNanos(200_000);
        targetOffset = next.info().replOffset();
      }
      steps.put("catch_up_ms", ms(t0));
      if (targetOffset < masterOffset) {
        local.unpause();
        return new Result(false, "the target stayed " + (masterOffset - targetOffset) + " bytes behind for "
            + budgetMs + " ms; writes resumed here", steps);
      }
      long t1 = System.nanoTime();
      beforeDemotion.run();
      steps.put("endpoints_released_ms", ms(t1));
      local.replicateFrom(target);
      demoted = true;
      next.promote();
      steps.put("swap_ms", ms(t1));
      local.dropNormalClients();
      local.unpause();
      steps.put("pause_ms", ms(t0));
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

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
