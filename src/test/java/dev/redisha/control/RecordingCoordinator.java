package dev.redisha.control;

import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.MemberView;
import dev.redisha.coordination.Route;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;
import dev.redisha.health.RedisHealth;
import java.util.List;
import java.util.Optional;

/** The calls the controller makes back to the coordinator, written to the journal. */
final class RecordingCoordinator implements Coordinator {
  private final Journal journal;
  /** What {@link #commitTakeover} answers: false as when the epoch cannot be written to disk. */
  boolean commitSucceeds = true;

  RecordingCoordinator(Journal journal) {
    this.journal = journal;
  }

  @Override
  public boolean commitTakeover(Decision takeover) {
    journal.add("coordinator: commit epoch " + takeover.epoch() + (commitSucceeds ? "" : " (fails)"));
    return commitSucceeds;
  }

  @Override
  public void takeoverAborted(Decision takeover, String why) {
    journal.add("coordinator: takeover aborted");
  }

  @Override
  public void handoverFinished(Decision handover, boolean success, String detail) {
    journal.add("coordinator: handover " + (success ? "succeeded" : "failed"));
  }

  @Override
  public String stateProblem() {
    return commitSucceeds ? "" : "state file not writable (test)";
  }

  // The controller calls nothing else.

  @Override
  public void start() {}

  @Override
  public Decision decide(RedisHealth local) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean setPaused(boolean paused) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean paused() {
    return false;
  }

  @Override
  public Maintenance maintenance() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<String> requestSwitchover(Optional<String> toNode) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean cancelSwitchover() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String pendingSwitchover() {
    return "";
  }

  @Override
  public AgentState state() {
    throw new UnsupportedOperationException();
  }

  @Override
  public long epoch() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String epochMaster() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean holdDown() {
    return false;
  }

  @Override
  public List<MemberView> peers() {
    return List.of();
  }

  // The controller never calls these (they serve the agent's endpoints and status); a call fails the test.
  @Override
  public Route route(boolean localServes) {
    throw new UnsupportedOperationException("route");
  }

  @Override
  public Optional<String> handoverInProgress() {
    throw new UnsupportedOperationException("handoverInProgress");
  }

  @Override
  public boolean masterServing() {
    throw new UnsupportedOperationException("masterServing");
  }

  @Override
  public void setHandoverPrepared(String target) {
    throw new UnsupportedOperationException("setHandoverPrepared");
  }

  @Override
  public CompletableFuture<Boolean> peersPrepared(String target) {
    throw new UnsupportedOperationException("peersPrepared");
  }

  @Override
  public List<String> warnings() {
    return List.of();
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {}

  @Override
  public void halt() {}

  @Override
  public void close() {}
}
