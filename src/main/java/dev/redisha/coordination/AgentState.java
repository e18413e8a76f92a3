package dev.redisha.coordination;

/** What an agent says about itself in its adverts and its status. */
public enum AgentState {
  /** Just started; listening for peers before it acts (bootstrap). */
  STARTING,
  /** Its Redis replicates from the master of the current epoch. */
  REPLICA,
  /** Its Redis is the writable master of the current epoch. */
  MASTER,
  /** Master handing its role to another node by a zero-loss switchover. */
  HANDING_OVER,
  /** Its Redis is down, restarted empty, or unusable; it must not be master. */
  FAULT,
  /** The agent is shutting down. */
  STOPPING
}
