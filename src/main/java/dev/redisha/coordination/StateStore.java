package dev.redisha.coordination;

/** Where {@link DurableState} lives: a file in production, memory in state-machine tests. */
public interface StateStore {
  DurableState load();

  /** Durable when it returns (the file is synced). */
  void save(DurableState state);
}
