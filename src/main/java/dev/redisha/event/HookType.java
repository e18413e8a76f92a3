package dev.redisha.event;

import dev.redisha.config.HooksConfig;
import java.nio.file.Path;
import java.util.Optional;

/** The keepalived notify scripts, with the state word keepalived passes to them. */
public enum HookType {
  MASTER("notify_master", "MASTER"),
  BACKUP("notify_backup", "BACKUP"),
  FAULT("notify_fault", "FAULT"),
  STOP("notify_stop", "STOP");

  private final String hookName;
  private final String state;

  HookType(String hookName, String state) {
    this.hookName = hookName;
    this.state = state;
  }

  /** The config name ("notify_master"), used in events and logs. */
  public String hookName() {
    return hookName;
  }

  /** The state argument and REDIS_HA_STATE value ("MASTER"). */
  public String state() {
    return state;
  }

  /** The script configured for this hook, if any. */
  public Optional<Path> scriptIn(HooksConfig hooks) {
    return switch (this) {
      case MASTER -> hooks.notifyMaster();
      case BACKUP -> hooks.notifyBackup();
      case FAULT -> hooks.notifyFault();
      case STOP -> hooks.notifyStop();
    };
  }
}
