package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.MasterView;
import dev.redisha.endpoint.RedisNodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The events published for a crash failover and for a switchover, in the order and formats a
 * real redis-sentinel 7.0.15 published them when its master was killed and when it was asked to
 * fail over (recorded with {@code redis-cli PSUBSCRIBE '*'} against Debian's redis-sentinel).
 */
class FailoverEventsTest {
  private static final HostPort A = new HostPort("127.0.0.1", 7001);
  private static final HostPort B = new HostPort("127.0.0.1", 7002);
  private static final String AT_A = " @ mymaster 127.0.0.1 7001";
  private static final String AT_B = " @ mymaster 127.0.0.1 7002";
  private static final String SLAVE_A = "slave 127.0.0.1:7001 127.0.0.1 7001";
  private static final String SLAVE_B = "slave 127.0.0.1:7002 127.0.0.1 7002";
  private SentinelEndpoint endpoint;
  private RespClient subscriber;

  @BeforeEach
  void start() {
    // The endpoint of node b, which takes over: the failover's leader.
    endpoint = SentinelEndpoint.start(new HostPort("127.0.0.1", 0), "mymaster", "b",
        Optional.empty(), List.of());
    subscriber = new RespClient(endpoint.address());
    assertEquals(List.of("psubscribe", "*", 1L), subscriber.call("PSUBSCRIBE", "*"));
  }

  @AfterEach
  void stop() {
    subscriber.close();
    endpoint.close();
  }

  private static MasterView view(long epoch, HostPort master, boolean aUp, String aRole,
      boolean bUp, String bRole) {
    List<RedisNodeView> nodes = List.of(new RedisNodeView("a", A, aUp, aRole, "run-a"),
        new RedisNodeView("b", B, bUp, bRole, "run-b"));
    HostPort replica = master == null ? null : master.equals(A) ? B : A;
    return new MasterView(epoch, Optional.ofNullable(master).map(m -> m.equals(A) ? "a" : "b"),
        Optional.ofNullable(master), replica == null ? List.of(A, B) : List.of(replica), false,
        nodes);
  }

  /**
   * Reads {@code count} published messages as "channel message", then checks with a PING that
   * nothing more came: the endpoint publishes one change's events in one go, so a PING sent
   * after the last of them is answered after any other.
   */
  private List<String> published(int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<?> m = (List<?>) subscriber.read();
      out.add(m.get(2) + " " + m.get(3));
    }
    assertEquals(List.of("pong", "end"), subscriber.call("PING", "end"), "more events: " + out);
    return out;
  }

  @Test
  void crashFailoverPublishesWhatARealSentinelPublishes() {
    endpoint.update(view(1, A, true, "master", true, "slave"));
    assertEquals(List.of(), published(0), "the first master is no switch");
    endpoint.update(view(1, null, false, "master", true, "slave"));
    assertEquals(List.of("+sdown master mymaster 127.0.0.1 7001",
        "+odown master mymaster 127.0.0.1 7001 #quorum 1/1"), published(2));
    // Mid-failover the last known master is still answered.
    RespClient c = new RespClient(endpoint.address());
    assertEquals(List.of("127.0.0.1", "7001"),
        c.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
    endpoint.update(view(2, B, false, "master", true, "master"));
    assertEquals(List.of(
        "+new-epoch 2",
        "+try-failover master mymaster 127.0.0.1 7001",
        "+vote-for-leader " + endpoint.runId() + " 2",
        "+elected-leader master mymaster 127.0.0.1 7001",
        "+failover-state-select-slave master mymaster 127.0.0.1 7001",
        "+selected-slave " + SLAVE_B + AT_A,
        "+failover-state-send-slaveof-noone " + SLAVE_B + AT_A,
        "+failover-state-wait-promotion " + SLAVE_B + AT_A,
        "-role-change " + SLAVE_B + AT_A + " new reported role is master",
        "+promoted-slave " + SLAVE_B + AT_A,
        "+failover-state-reconf-slaves master mymaster 127.0.0.1 7001",
        "+failover-end master mymaster 127.0.0.1 7001",
        "+switch-master mymaster 127.0.0.1 7001 127.0.0.1 7002",
        "+slave " + SLAVE_A + AT_B,
        "+sdown " + SLAVE_A + AT_B), published(15));
    // The old master comes back as a replica of the new one.
    endpoint.update(view(2, B, true, "slave", true, "master"));
    assertEquals(List.of("-sdown " + SLAVE_A + AT_B,
        "+role-change " + SLAVE_A + AT_B + " new reported role is slave",
        "+convert-to-slave " + SLAVE_A + AT_B), published(3));
    RespClient.Status ok = new RespClient.Status("OK");
    assertEquals(ok, c.call("QUIT"));
    c.close();
  }

  @Test
  void switchoverPublishesWhatARealSentinelPublishes() {
    endpoint.update(view(1, A, true, "master", true, "slave"));
    published(0);
    // A planned handover: the old master stays up; no +sdown, no +odown.
    endpoint.update(view(2, B, true, "master", true, "master"));
    List<String> events = published(14);
    assertEquals(List.of("+new-epoch 2", "+try-failover master mymaster 127.0.0.1 7001"),
        events.subList(0, 2));
    assertEquals(List.of("+failover-end master mymaster 127.0.0.1 7001",
        "+switch-master mymaster 127.0.0.1 7001 127.0.0.1 7002", "+slave " + SLAVE_A + AT_B),
        events.subList(events.size() - 3, events.size()));
    endpoint.update(view(2, B, true, "slave", true, "master"));
    assertEquals(List.of("+role-change " + SLAVE_A + AT_B + " new reported role is slave",
        "+convert-to-slave " + SLAVE_A + AT_B), published(2));
  }

  @Test
  void aFollowerPublishesTheSwitchButNotTheLeadersSteps() {
    try (SentinelEndpoint follower = SentinelEndpoint.start(new HostPort("127.0.0.1", 0),
        "mymaster", "a", Optional.empty(), List.of());
        RespClient s = new RespClient(follower.address())) {
      s.call("PSUBSCRIBE", "*");
      follower.update(view(1, A, true, "master", true, "slave"));
      follower.update(view(2, B, false, "master", true, "master"));
      List<String> channels = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        channels.add((String) ((List<?>) s.read()).get(2));
      }
      assertEquals(List.of("+new-epoch", "+switch-master", "+slave", "+sdown"), channels);
      assertEquals(List.of("pong", "end"), s.call("PING", "end"));
    }
  }
}
