package dev.redisha.config;

/** Who starts the local redis-server. */
public enum RedisMode {
  /** The agent starts and supervises redis-server itself. */
  MANAGED,
  /** Something else (systemd, a container runtime) starts it; the agent only talks to it. */
  EXTERNAL
}
