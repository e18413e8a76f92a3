package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisCommands;
import dev.redisha.redis.RedisDialer;
import dev.redisha.redis.RedisInfo;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Fences the old master before this node promotes (DESIGN rule 2). The order matters: the old
 * master stops taking writes, this node catches up, and the old master becomes a replica before
 * the local Redis becomes master, so at no instant do two servers accept writes.
 */
final class OldMasterFence {
  private final RedisDialer dialer;
  private final int timeoutMs;
  private final long catchUpTimeoutMs;

  OldMasterFence(RedisDialer dialer, int timeoutMs, long catchUpTimeoutMs) {
    this.dialer = dialer;
    this.timeoutMs = timeoutMs;
    this.catchUpTimeoutMs = catchUpTimeoutMs;
  }

  /**
   * @param catchUp pause the old master's writes and wait until {@code local} has everything it
   *     wrote (its agent is silent, so its Redis may be healthy and taking writes)
   * @param self where the old master should replicate from afterwards
   */
  FenceResult fence(HostPort old, boolean catchUp, RedisCommands local, HostPort self) {
    return fence(old, catchUp, local, self, false);
  }

  /**
   * As above; an old master answering BUSY (a script or function past busy-reply-threshold) is
   * first sent SCRIPT KILL / FUNCTION KILL and then fenced as usual. One whose script cannot be
   * killed (it wrote) can be neither demoted nor paused, and takes writes again when the script
   * ends, so promoting beside it is forbidden unless {@code shutDownIfUnkillable}: then it is
   * shut down (SHUTDOWN NOSAVE, which Redis accepts while busy) and promotion allowed once its
   * connections are refused.
   */
  FenceResult fence(HostPort old, boolean catchUp, RedisCommands local, HostPort self, boolean shutDownIfUnkillable) {
    try (RedisCommands oldMaster = dialer.open(old, timeoutMs)) {
      RedisInfo info;
      try {
        info = oldMaster.info();
      } catch (JedisConnectionException e) {
        return new FenceResult(FenceResult.Outcome.UNREACHABLE, 0, "unreachable: " + e.getMessage());
      } catch (JedisBusyException e) {
        BusyRedis.Kill k = BusyRedis.killScript(oldMaster);
        if (k.outcome() == BusyRedis.KillOutcome.UNKILLABLE) {
          return unkillable(oldMaster, old, k, shutDownIfUnkillable);
        }
        if (k.outcome() == BusyRedis.KillOutcome.FAILED) {
          return new FenceResult(FenceResult.Outcome.FAILED, 0, "busy, and " + k.describe());
        }
        // Killed (or it ended meanwhile): it answers again and is fenced like any other.
        info = oldMaster.info();
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

  private FenceResult unkillable(RedisCommands oldMaster, HostPort old, BusyRedis.Kill k, boolean shutDown) {
    if (!shutDown) {
      return new FenceResult(FenceResult.Outcome.BUSY, 0,
          "busy with a script that cannot be killed (" + k.describe() + "); not shutting it down");
    }
    // The run id is unknown (INFO answers BUSY), so only a refused connection confirms.
    java.util.Optional<String> failure = BusyRedis.shutDown(oldMaster, dialer, old, "", timeoutMs, catchUpTimeoutMs);
    return failure.isEmpty()
        ? new FenceResult(FenceResult.Outcome.SHUT_DOWN, 0,
            "busy with a script that cannot be killed (" + k.describe() + "): shut down with SHUTDOWN NOSAVE")
        : new FenceResult(FenceResult.Outcome.FAILED, 0, "busy with a script that cannot be killed; " + failure.get());
  }
}
