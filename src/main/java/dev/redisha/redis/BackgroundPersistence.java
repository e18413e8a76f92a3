package dev.redisha.redis;

/**
 * The fork children Redis runs for persistence, from {@code INFO persistence}. The counters
 * ({@code aof_rewrites}, {@code rdb_saves}, Redis 7.0+) count children as they start, so a caller
 * that notes them right after its own {@code BGSAVE} or {@code CONFIG SET appendonly yes} can
 * later tell its own child from one somebody else started.
 *
 * @param aofRewriteInProgress a rewrite child runs; {@code CONFIG SET appendonly no} kills it
 * @param aofRewriteScheduled a rewrite waits for a running BGSAVE; {@code appendonly no} cancels it
 * @param bgsaveInProgress an RDB child runs
 * @param aofRewrites rewrites started since Redis started
 * @param rdbSaves RDB saves started since Redis started
 */
public record BackgroundPersistence(
    boolean aofRewriteInProgress, boolean aofRewriteScheduled, boolean bgsaveInProgress, long aofRewrites, long rdbSaves) {

  public static BackgroundPersistence of(RedisInfo info) {
    var raw = info.raw();
    return new BackgroundPersistence(
        "1".equals(raw.get("aof_rewrite_in_progress")),
        "1".equals(raw.get("aof_rewrite_scheduled")),
        "1".equals(raw.get("rdb_bgsave_in_progress")),
        number(raw.get("aof_rewrites")),
        number(raw.get("rdb_saves")));
  }

  /** The counter value the running or scheduled rewrite has (a scheduled one counts when it starts). */
  public long pendingRewrite() {
    return aofRewriteInProgress ? aofRewrites : aofRewriteScheduled ? aofRewrites + 1 : -1;
  }

  private static long number(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
