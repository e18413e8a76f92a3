package dev.redisha.coordination;

import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's {@link DurableState}, in memory and in its {@link StateStore}. A change the group
 * already made (a step-down, an adopted pause) takes effect in memory at once and its save is
 * retried every second until it lands; a change this node wants to make (a takeover's epoch) is
 * made only if the save succeeds. Why the store cannot be written is kept for status.
 */
public final class StateRecord {
  private static final Logger log = LoggerFactory.getLogger(StateRecord.class);
  private static final long SAVE_RETRY_MS = 1000;
  private final String me;
  private final StateStore store;
  private DurableState state;
  /** The state in memory is newer than the store: a save failed and is retried. */
  private boolean unsaved;
  private String problem = "";
  private long nextSaveAttemptAt;

  public StateRecord(String me, StateStore store) {
    this.me = me;
    this.store = store;
    this.state = store.load();
  }

  public DurableState state() {
    return state;
  }

  /**
   * Retries a failed save once a second; also after a failed takeover commit (nothing unsaved in
   * memory): a successful write is what shows the store works again.
   */
  public void retryIfDue(long now) {
    if ((unsaved || !problem.isEmpty()) && now >= nextSaveAttemptAt) {
      nextSaveAttemptAt = now + SAVE_RETRY_MS;
      save(state);
    }
  }

  /** The state in memory becomes {@code next} at once; the store follows, or is retried. */
  public void remember(DurableState next) {
    state = next;
    if (!save(next)) {
      unsaved = true;
    }
  }

  /** Writes the store; on success {@code next} is the state, on failure nothing changes. */
  public boolean save(DurableState next) {
    try {
      store.save(next);
    } catch (UncheckedIOException | IllegalStateException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!why.equals(problem)) {
        log.error("[{}] {}; no promotion until the state file can be written", me, why);
      }
      problem = why;
      return false;
    }
    state = next;
    unsaved = false;
    if (!problem.isEmpty()) {
      log.info("[{}] the state file is written again (epoch {})", me, next.epoch());
      problem = "";
    }
    return true;
  }

  /** Whether the state in memory is not in the store yet. */
  public boolean unsaved() {
    return unsaved;
  }

  /** Why the store cannot be written now, "" when it can. */
  public String problem() {
    return problem;
  }
}
