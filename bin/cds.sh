# Application class-data sharing (JDK 17 dynamic AppCDS) for redis-ha, sourced by bin/redis-ha.
#
# The classes that a previous run of the same kind (agent or cli) loaded, already parsed and
# verified, are mapped from DIR/<kind>-<key>.jsa instead of being read from the jar: a CLI call
# starts in about half the time, and the agent reaches its first decision sooner
# (docs/tuning.md, "Class-data sharing", has the figures).
# - The JVM writes the archive at the exit of a run that had none, to a name ending in its PID.
# - The next launch takes it into use only after a check run has mapped it (-Xshare:on): a stale
#   or partly written archive (a run killed while writing it) fails that check and is deleted.
# - The key changes with the jar's path and the JDK, so a moved checkout or another JDK gets its
#   own archive; a rebuilt jar or an updated JDK leaves the archive older than them, and it is
#   made again.
# - A JVM given an archive it cannot use runs without it (-Xshare:auto), silently: the CDS
#   messages are off and the JVM's other warnings go to stderr, so stdout stays the command's own.
# REDIS_HA_CDS=off turns it off; REDIS_HA_CDS_DIR moves the archives (default: DIR); no archive
# is made when the directory cannot be created or written.
#
# redis_ha_cds_args KIND JAR DIR: sets the array redis_ha_cds to the JVM flags.
redis_ha_cds_args() {
  local kind=$1 jar=$2 dir="${REDIS_HA_CDS_DIR:-$3}" java_bin libjvm key archive tmp pid
  redis_ha_cds=()
  [ "${REDIS_HA_CDS:-on}" != off ] || return 0
  java_bin="$(readlink -f "$(command -v java)")" || return 0
  libjvm="$(dirname "$java_bin")/../lib/server/libjvm.so"
  [ -f "$libjvm" ] || libjvm="$java_bin"
  key="$(printf '%s %s' "$jar" "$java_bin" | cksum | cut -d' ' -f1)"
  archive="$dir/$kind-$key.jsa"
  if ! _redis_ha_cds_fresh "$archive" "$jar" "$libjvm"; then
    for tmp in "$archive".*; do
      [ -e "$tmp" ] || continue
      pid="${tmp##*.}"
      ! kill -0 "$pid" 2>/dev/null || continue   # its JVM is still running, or still writing it
      if _redis_ha_cds_fresh "$tmp" "$jar" "$libjvm" && _redis_ha_cds_maps "$tmp" "$jar"; then
        mv -f "$tmp" "$archive" 2>/dev/null || true
      else
        rm -f "$tmp"
      fi
    done
  fi
  redis_ha_cds=(-Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds*=off:stderr)
  if _redis_ha_cds_fresh "$archive" "$jar" "$libjvm"; then
    redis_ha_cds+=(-XX:SharedArchiveFile="$archive")
  elif mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ]; then
    # $$ is the JVM's PID as well: the launcher execs java.
    redis_ha_cds+=(-XX:ArchiveClassesAtExit="$archive.$$")
  fi
}

# Non-empty and newer than the jar and the JVM.
_redis_ha_cds_fresh() {
  [ -s "$1" ] && [ "$1" -nt "$2" ] && [ "$1" -nt "$3" ]
}

# The JVM maps the archive for this jar (it exits non-zero, or dies, when it cannot).
_redis_ha_cds_maps() {
  (java -Xshare:on -XX:SharedArchiveFile="$1" -XX:ErrorFile=/dev/null -XX:-CreateCoredumpOnCrash \
    -Xlog:disable -jar "$2" --version) >/dev/null 2>&1
}
