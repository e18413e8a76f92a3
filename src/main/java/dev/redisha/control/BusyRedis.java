package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.health.RedisHealthMonitor;
import dev.redisha.redis.RedisCommands;
import dev.redisha.redis.RedisDialer;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The two things that can be done to a Redis answering BUSY, shared by the local policy and the
 * fence. Redis 7.0 answers only SCRIPT KILL, FUNCTION KILL and SHUTDOWN NOSAVE (and AUTH, HELLO)
 * while a script or function runs past busy-reply-threshold.
 */
final class BusyRedis {
  private static final long SETTLE_MS = 1000;

  private BusyRedis() {}

  enum KillOutcome {
    /** The script or function was stopped; Redis answers again. */
    KILLED,
    /** Nothing was running any more (it ended by itself, or a module command is busy). */
    NOT_RUNNING,
    /** It wrote: Redis refuses to stop it (its writes would be half applied). */
    UNKILLABLE,
    /** Another answer, or Redis still BUSY after an OK. */
    FAILED
  }

  /** @param command the command that gave {@code reply} */
  record Kill(KillOutcome outcome, String command, String reply) {
    String describe() {
      return command + " answered " + firstLine(reply);
    }
  }

  /**
   * SCRIPT KILL, then FUNCTION KILL if that stopped nothing: Redis refuses SCRIPT KILL for a
   * running function ("BUSY ... You can only call FUNCTION KILL") and the other way round. Both
   * answer UNKILLABLE for one that wrote, and NOTBUSY when nothing runs.
   */
  static Kill killScript(RedisCommands redis) {
    String reply = redis.kill("SCRIPT");
    Kill k = classify("SCRIPT KILL", reply);
    if (k.outcome() == KillOutcome.KILLED || k.outcome() == KillOutcome.UNKILLABLE) {
      return settled(redis, k);
    }
    Kill f = classify("FUNCTION KILL", redis.kill("FUNCTION"));
    if (f.outcome() == KillOutcome.NOT_RUNNING && k.outcome() != KillOutcome.NOT_RUNNING) {
      return k;
    }
    return settled(redis, f);
  }

  /** A killed script stops at its next instruction hook; make sure Redis answers INFO again. */
  private static Kill settled(RedisCommands redis, Kill k) {
    if (k.outcome() != KillOutcome.KILLED) {
      return k;
    }
    long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
    while (true) {
      try {
        redis.info();
        return k;
      } catch (JedisBusyException e) {
        if (System.nanoTime() > deadline) {
          return new Kill(KillOutcome.FAILED, k.command(), "OK, but Redis still answers BUSY after " + SETTLE_MS + " ms");
        }
        LockSupport.parkNanos(5_000_000);
      }
    }
  }

  private static Kill classify(String command, String reply) {
    KillOutcome o;
    if ("OK".equals(reply)) {
      o = KillOutcome.KILLED;
    } else if (reply.startsWith("NOTBUSY")) {
      o = KillOutcome.NOT_RUNNING;
    } else if (reply.startsWith("UNKILLABLE")) {
      o = KillOutcome.UNKILLABLE;
    } else {
      o = KillOutcome.FAILED;
    }
    return new Kill(o, command, reply);
  }

  /**
   * SHUTDOWN NOSAVE, then waits until the server is certainly gone: connections refused, or a
   * different server (run id, when {@code runId} is known) answering because a supervisor
   * restarted it. NOSAVE matters: a
   * snapshot taken now would hold the script's half-done writes.
   *
   * @return empty when confirmed, else why not
   */
  static java.util.Optional<String> shutDown(
      RedisCommands redis, RedisDialer dialer, HostPort target, String runId, int timeoutMs, long confirmMs) {
    try {
      redis.shutdownNoSave();
    } catch (JedisConnectionException e) {
      // Already unreachable: the confirmation below tells refused from merely slow.
    } catch (RuntimeException e) {
      return java.util.Optional.of("SHUTDOWN NOSAVE answered " + firstLine(e.getMessage()));
    }
    long deadline = System.nanoTime() + confirmMs * 1_000_000;
    String last = "";
    while (System.nanoTime() < deadline) {
      try (RedisCommands probe = dialer.open(target, timeoutMs)) {
        String nowRunning = probe.serverRunId();
        // Without a known run id (the fence never saw INFO) only a refused connection confirms.
        if (!runId.isEmpty() && !nowRunning.isEmpty() && !nowRunning.equals(runId)) {
          return java.util.Optional.empty();
        }
        last = "it still answers INFO with its run id";
      } catch (JedisBusyException e) {
        last = "it still answers BUSY";
      } catch (JedisConnectionException e) {
        if (RedisHealthMonitor.isRefused(e)) {
          return java.util.Optional.empty();
        }
        last = "no answer: " + firstLine(e.getMessage());
      } catch (RuntimeException e) {
        last = firstLine(e.getMessage());
      }
      LockSupport.parkNanos(10_000_000);
    }
    return java.util.Optional.of("after SHUTDOWN NOSAVE, for " + confirmMs + " ms " + last);
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
