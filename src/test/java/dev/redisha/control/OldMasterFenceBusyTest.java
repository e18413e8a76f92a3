package dev.redisha.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.redis.FreePorts;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisDialer;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisBusyException;

/** The fence against an old master that answers BUSY: real redis-servers, busy-reply-threshold 100 ms. */
class OldMasterFenceBusyTest {
  private static final String PASSWORD = "fence-test-password";
  private static final String SPIN = dev.redisha.testsupport.BusyScripts.SPIN;

  @TempDir Path dir;
  private final List<RedisServerProcess> processes = new ArrayList<>();
  private final List<Jedis> scriptClients = new ArrayList<>();
  private RedisConnector connector;
  private HostPort old;
  private HostPort self;
  private RedisServerProcess oldProcess;

  @BeforeEach
  void startServers() {
    Secret secret = new Secret(PASSWORD.getBytes(StandardCharsets.UTF_8), "test");
    connector = new RedisConnector(Optional.empty(), Optional.of(secret), Optional.empty());
    old = new HostPort("127.0.0.1", FreePorts.tcp());
    self = new HostPort("127.0.0.1", FreePorts.tcp());
    Path binary = RedisBinary.locate(Optional.empty());
    for (HostPort hp : List.of(old, self)) {
      processes.add(RedisServerProcess.start(binary, new RedisLaunch(hp, dir.resolve("r" + hp.port()), Optional.of(secret),
          hp.equals(self) ? Optional.of(old) : Optional.empty(), Optional.empty(), List.of("--busy-reply-threshold", "100"))));
    }
    oldProcess = processes.get(0);
    Await.until("both answer", Duration.ofSeconds(10), () -> answers(old) && answers(self));
  }

  @AfterEach
  void killServers() {
    scriptClients.forEach(j -> j.getConnection().disconnect());
    processes.forEach(RedisServerProcess::kill);
  }

  @Test
  void aBusyReadOnlyScriptIsKilledAndTheOldMasterDemoted() {
    runScript(SPIN, 0, "20000");
    try (RedisControl local = new RedisControl(connector, self, 1000)) {
      FenceResult r = fence().fence(old, false, local, self, false);
      assertEquals(FenceResult.Outcome.DEMOTED, r.outcome(), r.detail());
      assertTrue(r.allowsPromotion());
    }
    try (Jedis j = connector.connect(old, 1000)) {
      assertTrue(j.info("replication").contains("role:slave"), "the old master was not demoted");
    }
  }

  @Test
  void anUnkillableScriptForbidsPromotionUnlessTheFenceMayShutTheOldMasterDown() {
    runScript("redis.call('SET', KEYS[1], 'x')\n" + SPIN, 1, "k", "30000");
    try (RedisControl local = new RedisControl(connector, self, 1000)) {
      FenceResult kept = fence().fence(old, false, local, self, false);
      assertEquals(FenceResult.Outcome.BUSY, kept.outcome(), kept.detail());
      assertFalse(kept.allowsPromotion(), "promotion allowed beside a master that takes writes when its script ends");
      assertTrue(oldProcess.isAlive());
      assertTrue(answersBusy(old), "the old master no longer runs its script");

      FenceResult gone = fence().fence(old, false, local, self, true);
      assertEquals(FenceResult.Outcome.SHUT_DOWN, gone.outcome(), gone.detail());
      assertTrue(gone.allowsPromotion());
      assertTrue(oldProcess.waitFor(5000), "the old redis-server is still running");
    }
  }

  private OldMasterFence fence() {
    return new OldMasterFence(RedisDialer.of(connector), 200, 2000);
  }

  private void runScript(String script, int keyCount, String... params) {
    Jedis j = new Jedis(old.host(), old.port(), 60_000);
    j.auth(PASSWORD);
    scriptClients.add(j);
    Thread t = new Thread(() -> {
      try {
        j.eval(script, keyCount, params);
      } catch (RuntimeException expected) {
        // killed, or its server shut down
      }
    }, "busy-script");
    t.setDaemon(true);
    t.start();
    Await.until("the old master answers BUSY", Duration.ofSeconds(5), () -> answersBusy(old));
  }

  private boolean answers(HostPort hp) {
    try (Jedis j = connector.connect(hp, 500)) {
      return "PONG".equals(j.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private boolean answersBusy(HostPort hp) {
    try (Jedis j = connector.connect(hp, 500)) {
      j.ping();
      return false;
    } catch (JedisBusyException e) {
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
