package dev.redisha.control;

import dev.redisha.config.HostPort;

/** What the controller tells the endpoints, written to the journal. */
final class RecordingEndpoints implements EndpointSteering {
  private final Journal journal;

  RecordingEndpoints(Journal journal) {
    this.journal = journal;
  }

  @Override
  public void beforeLocalDemotion(long epoch) {
    journal.add("endpoints: release");
  }

  @Override
  public void afterLocalPromotion(long epoch) {
    journal.add("endpoints: route to me");
  }

  @Override
  public boolean prepareHandover(String target, long maxMs) {
    journal.add("endpoints: hold clients");
    return true;
  }

  @Override
  public void handoverCompleted(String target, HostPort targetRedis, long epoch) {
    journal.add("endpoints: route to " + target);
  }

  @Override
  public void handoverAborted() {
    journal.add("endpoints: handover aborted");
  }
}
