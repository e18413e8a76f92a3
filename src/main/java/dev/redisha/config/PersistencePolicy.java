package dev.redisha.config;

/**
 * What a persisting node uses (DESIGN rule 4): replicas persist, the master does not unless it is
 * the last copy.
 *
 * @param save Redis "save" points, e.g. "900 1 300 10 60 10000"; empty string disables RDB
 * @param appendOnly whether to use the AOF
 * @param appendFsync always, everysec or no
 */
public record PersistencePolicy(String save, boolean appendOnly, String appendFsync) {}
