package dev.redisha.control;

import dev.redisha.config.PersistencePolicy;
import dev.redisha.event.EventType;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.BackgroundPersistence;
import dev.redisha.redis.PersistenceSettings;
import dev.redisha.redis.RedisCommands;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Makes the local Redis persist or not as DESIGN rule 4 asks of the node's role (replicas
 * persist; the master only as the last copy), and nothing more: it remembers the {@code save} and
 * {@code appendonly} values it set itself (per Redis run id), so that a value somebody else set
 * is recognised as theirs. Such a value is reported once and left alone until the node's role
 * changes, where the policy applies again, because reverting it is what surprised operators:
 * {@code CONFIG SET appendonly no} kills the AOF rewrite that their {@code appendonly yes}
 * started, and an AOF loaded later lacked keys.
 *
 * <p>Whatever the policy says, {@code appendonly} is never turned off while a rewrite or BGSAVE
 * runs that the agent did not start; it waits for the child to end.
 *
 * <p>Runs on the decision thread only, once per decision: it must cost nothing when Redis is as
 * it should be, so it works from the health probe and reads Redis itself only on a change.
 */
final class PersistenceSteering {
  enum Role {
    MASTER("the master persists only when it is the last copy"),
    REPLICA("a replica always persists");

    private final String policy;

    Role(String policy) {
      this.policy = policy;
    }
  }

  /** A Redis setting the agent steers, and the config field that governs it. */
  enum Setting {
    SAVE("save", "persistence.save"),
    APPENDONLY("appendonly", "persistence.appendonly");

    private final String redisName;
    private final String field;

    Setting(String redisName, String field) {
      this.redisName = redisName;
      this.field = field;
    }

    String valueIn(PersistenceSettings s) {
      return this == SAVE ? s.save() : s.appendOnly() ? "yes" : "no";
    }
  }

  interface Recorder {
    void record(EventType type, String cause, long epoch, Map<String, Object> fields);
  }

  private final PersistencePolicy policy;
  private final RedisCommands local;
  private final Recorder recorder;
  private final LongSupplier clock;

  private String runId = "";
  private Role role;
  /** What this Redis run had when steering began in this role, updated by every write of ours. */
  private PersistenceSettings expected;
  private long lastWriteAt = Long.MIN_VALUE;
  /** Settings changed outside the agent in this role, with the value last seen. */
  private final Map<Setting, String> outside = new EnumMap<>(Setting.class);
  /** The {@code aof_rewrites} / {@code rdb_saves} numbers of the children the agent started. */
  private long ownRewrite = -1;
  private long ownBgsave = -1;
  private boolean waitingForChild;

  PersistenceSteering(PersistencePolicy policy, RedisCommands local, Recorder recorder, LongSupplier clock) {
    this.policy = policy;
    this.local = local;
    this.recorder = recorder;
    this.clock = clock;
  }

  /**
   * @param wanted whether the node must persist now
   * @param why the policy's reason, for the event when something is switched
   */
  void steer(Role newRole, boolean wanted, RedisHealth h, long epoch, String why) {
    if (!h.up() || h.info().isEmpty() || h.settings().isEmpty()) {
      return;
    }
    if (!h.runId().equals(runId)) {
      // A restarted Redis has the settings of its config file; nothing we remember applies.
      runId = h.runId();
      ownRewrite = -1;
      ownBgsave = -1;
      startRole(newRole);
    } else if (newRole != role) {
      if (!outside.isEmpty()) {
        recorder.record(EventType.PERSISTENCE_POLICY, "role changed to " + newRole.name().toLowerCase()
            + ": the persistence policy applies again to " + names() + " (set outside the agent)", epoch, Map.of());
      }
      startRole(newRole);
    }
    PersistenceSettings seen = h.settings().get();
    if (expected == null) {
      expected = seen;
    } else if (h.takenAtMillis() < lastWriteAt) {
      return; // the probe predates our last write and would read it as somebody else's
    } else if (differsFromKnown(seen)) {
      // Our own connection sees our own writes: read again before calling anything "outside".
      seen = local.persistenceSettings();
      noticeOutsideChanges(seen, epoch);
    }

    PersistenceSettings target = targetFor(wanted, seen);
    if (target.equals(seen)) {
      waitingForChild = false;
      return;
    }
    apply(seen, target, wanted, h, epoch, why);
  }

  private void startRole(Role newRole) {
    role = newRole;
    expected = null;
    outside.clear();
    waitingForChild = false;
  }

  private boolean differsFromKnown(PersistenceSettings seen) {
    for (Setting s : Setting.values()) {
      String known = outside.containsKey(s) ? outside.get(s) : s.valueIn(expected);
      if (!s.valueIn(seen).equals(known)) {
        return true;
      }
    }
    return false;
  }

  private void noticeOutsideChanges(PersistenceSettings seen, long epoch) {
    for (Setting s : Setting.values()) {
      String value = s.valueIn(seen);
      String ours = s.valueIn(expected);
      if (outside.containsKey(s)) {
        if (value.equals(ours)) {
          outside.remove(s);
          recorder.record(EventType.PERSISTENCE_OUTSIDE_CHANGE, s.redisName + " is back to " + shown(value)
              + ", as the agent set it; governed by " + s.field + " again", epoch, fields(s, value));
        } else if (!value.equals(outside.get(s))) {
          outside.put(s, value);
          recordOutside(s, value, epoch);
        }
      } else if (!value.equals(ours)) {
        outside.put(s, value);
        recordOutside(s, value, epoch);
      }
    }
  }

  private void recordOutside(Setting s, String value, long epoch) {
    recorder.record(EventType.PERSISTENCE_OUTSIDE_CHANGE, s.redisName + " changed to " + shown(value)
        + " outside the agent (governed by " + s.field + " and the node's role: " + role.policy
        + "); leaving it as set until the next role change", epoch, fields(s, value));
  }

  private Map<String, Object> fields(Setting s, String value) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("setting", s.redisName);
    f.put("value", value);
    f.put("governed_by", s.field);
    f.put("role", role.name().toLowerCase());
    return f;
  }

  /** The policy's settings, except those left as set outside the agent. */
  private PersistenceSettings targetFor(boolean wanted, PersistenceSettings seen) {
    if (wanted && seen.persisting()) {
      // Persisting in any form satisfies the policy, as it always has: a replica started with
      // its own save points or AOF keeps them.
      return seen;
    }
    PersistenceSettings t = seen;
    if (!outside.containsKey(Setting.SAVE)) {
      t = t.withSave(wanted ? policy.save() : "");
    }
    if (!outside.containsKey(Setting.APPENDONLY)) {
      t = t.withAppendOnly(wanted && policy.appendOnly());
    }
    return t;
  }

  private void apply(
      PersistenceSettings seen, PersistenceSettings target, boolean wanted, RedisHealth h, long epoch, String why) {
    PersistenceSettings written = seen;
    Map<String, Object> f = new LinkedHashMap<>();
    if (!target.save().equals(seen.save())) {
      local.setSave(target.save());
      written = written.withSave(target.save());
      f.put("save", target.save());
    }
    if (target.appendOnly() && !seen.appendOnly()) {
      local.setAppendOnly(true, policy.appendFsync());
      ownRewrite = local.backgroundPersistence().pendingRewrite();
      written = written.withAppendOnly(true);
      f.put("appendonly", "yes");
    } else if (!target.appendOnly() && seen.appendOnly()) {
      String child = foreignChild(BackgroundPersistence.of(h.info().get()));
      if (child.isEmpty()) {
        child = foreignChild(local.backgroundPersistence()); // it may have started since the probe
      }
      if (child.isEmpty()) {
        local.setAppendOnly(false, policy.appendFsync());
        written = written.withAppendOnly(false);
        f.put("appendonly", "no");
        waitingForChild = false;
      } else if (!waitingForChild) {
        waitingForChild = true;
        recorder.record(EventType.PERSISTENCE_WAIT, "not turning appendonly off yet: " + child
            + " runs that the agent did not start, and appendonly no would kill it", epoch, Map.of("child", child));
      }
    }
    if (f.isEmpty()) {
      return;
    }
    if (wanted && role == Role.MASTER && !target.save().isEmpty() && !target.save().equals(seen.save())) {
      // A master that became the last copy must not wait for a save point.
      local.snapshotNow();
      BackgroundPersistence bg = local.backgroundPersistence();
      ownBgsave = bg.bgsaveInProgress() ? bg.rdbSaves() : -1;
    }
    expected = written;
    lastWriteAt = clock.getAsLong();
    f.put("persisting", written.persisting());
    recorder.record(EventType.PERSISTENCE, (wanted ? "persistence on: " : "persistence off: ") + why, epoch, f);
  }

  /** What runs that {@code appendonly no} would kill or cancel and the agent did not start; "" if nothing. */
  private String foreignChild(BackgroundPersistence bg) {
    if ((bg.aofRewriteInProgress() || bg.aofRewriteScheduled()) && bg.pendingRewrite() != ownRewrite) {
      return bg.aofRewriteInProgress() ? "an AOF rewrite" : "a scheduled AOF rewrite";
    }
    if (bg.bgsaveInProgress() && bg.rdbSaves() != ownBgsave) {
      return "a BGSAVE";
    }
    return "";
  }

  private String names() {
    return outside.keySet().stream().map(s -> s.redisName).reduce((a, b) -> a + " and " + b).orElse("");
  }

  private static String shown(String value) {
    return value.isEmpty() ? "\"\" (off)" : value.equals("yes") || value.equals("no") ? value : "\"" + value + "\"";
  }
}
