package dev.redisha.it;

import dev.redisha.coordination.AgentState;
import dev.redisha.testsupport.Await;
import java.time.Duration;

/** Steps several scenarios share. */
final class Scenarios {
  private Scenarios() {}

  /** Waits until {@code master} is master and {@code replica} an in-sync, persisting replica. */
  static void awaitSteadyPair(TestGroup g, TestNode master, TestNode replica) {
    Await.until(master.id() + " master", Duration.ofSeconds(20), master::isMasterAgent);
    Await.until(replica.id() + " in-sync persisting replica", Duration.ofSeconds(20), () -> {
      var s = replica.agent.status();
      return s.state() == AgentState.REPLICA && s.persisting()
          && replica.info().map(i -> i.masterLinkUp()).orElse(false);
    });
    Await.until(master.id() + " stops persisting", Duration.ofSeconds(10), () -> !master.agent.status().persisting());
  }
}
