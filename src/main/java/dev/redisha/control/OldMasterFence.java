package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisInfo;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Fences the old master before this node promotes (DESIGN rule 2). The order matters: the old
 * master stops taking writes, this node catches up, and the old master becomes a replica before
 * the local Redis becomes master, so at no instant do two servers accept writes.
 */
final class OldMasterFence {
  private final RedisConnector connector;
  private final int timeoutMs;
  private final long catchUpTimeoutMs;

  OldMasterFence(RedisConnector connector, int timeoutMs, long catchUpTimeoutMs) {
    this.connector = connector;
    this.timeoutMs = timeoutMs;
    this.catchUpTimeoutMs = catchUpTimeoutMs;
  }

  /**
   * @param catchUp pause the old master's writes and wait until {@code local} has everything it
   *     wrote (its agent is silent, so its Redis may be healthy and taking writes)
   * @param self where the old master should replicate from afterwards
   */
  FenceResult fence(HostPort old, boolean catchUp, RedisControl local, HostPort self) {
    try (RedisControl oldMaster = new RedisControl(connector, old, timeoutMs)) {
      RedisInfo info;
      try {
        info = oldMaster.info();
      } catch (JedisConnectionException e) {
        return new FenceResult(FenceResult.Outcome.UNREACHABLE, 0, "unreachable: " + e.getMessage());
      }
      if (!info.isMaster()) {
        return new FenceResult(FenceResult.Outcome.NOT_MASTER, 0, "already a replica of " + info.masterHost() + ":" + info.masterPort());
      }
      long lost = 0;
      if (catchUp) {
        oldMaster.pauseWrites(catchUpTimeoutMs + timeoutMs);
        long target = oldMaster.info().replOffset();
        long deadline = System.nanoTime() + catchUpTimeoutMs * 1_000_000;
        long mine = local.info().replOffset();
        while (mine < target && System.nanoTime() < deadline) {
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
          mine = local.info().replOffset();
        }
        lost = Math.max(0, target - mine);
      }
      oldMaster.replicateFrom(self);
      oldMaster.dropNormalClients();
      if (catchUp) {
        oldMaster.unpause();
      }
      return new FenceResult(FenceResult.Outcome.DEMOTED, lost,
          lost == 0 ? "demoted" : "demoted; " + lost + " bytes it had were not replicated in time");
    } catch (JedisConnectionException e) {
      // It answered once and then went away: it is not serving writes either.
      return new FenceResult(FenceResult.Outcome.UNREACHABLE, 0, "went away while fencing: " + e.getMessage());
    } catch (RuntimeException e) {
      return new FenceResult(FenceResult.Outcome.FAILED, 0, e.getMessage());
    }
  }
}
