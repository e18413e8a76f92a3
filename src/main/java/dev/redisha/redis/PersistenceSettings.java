package dev.redisha.redis;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The two Redis settings that decide whether a server writes to disk, as {@code CONFIG GET}
 * reports them.
 *
 * @param save the {@code save} points ("" when RDB snapshots are off), whitespace normalised so
 *     that "60 1" and " 60  1" compare equal
 * @param appendOnly {@code appendonly}
 */
public record PersistenceSettings(String save, boolean appendOnly) {
  public PersistenceSettings {
    save = Arrays.stream(save.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.joining(" "));
  }

  public static final PersistenceSettings OFF = new PersistenceSettings("", false);

  public boolean persisting() {
    return !save.isEmpty() || appendOnly;
  }

  public PersistenceSettings withSave(String s) {
    return new PersistenceSettings(s, appendOnly);
  }

  public PersistenceSettings withAppendOnly(boolean on) {
    return new PersistenceSettings(save, on);
  }
}
