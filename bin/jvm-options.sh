# JVM settings of redis-ha, sourced by bin/redis-ha and by the Debian package's /usr/bin/redis-ha
# (installed as /usr/share/redis-ha/jvm-options.sh), so both launchers start the JVM alike.
#
# docs/tuning.md, "JVM and operating system", says why and shows the figures: the agent (run,
# demo) gets a small bounded heap, the Serial collector and the C1 compiler only, so its memory is
# bounded and no GC or compiler threads compete with the advert and probe threads on a busy host;
# every other subcommand is a short-lived client and gets settings for a fast start instead.
# REDIS_HA_JAVA_OPTS is added last, so any of its flags wins over these defaults.
#
# redis_ha_java_args SUBCOMMAND: sets the array redis_ha_jvm to the JVM flags for SUBCOMMAND, and
# the process settings the agent runs with (umask, MALLOC_ARENA_MAX).
redis_ha_java_args() {
  case "${1:-}" in
    run|demo)
      redis_ha_jvm=(-Xms8m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m
        -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Dio.netty.jfr.enabled=false)
      # What the agent and its redis-server create is at most 0640 (the agent makes its own files
      # 0600 anyway; Redis' dump.rdb and AOF files follow the umask, 0644 under the usual 022). A
      # stricter umask is kept.
      umask "$(printf '%04o' $(( $(umask) | 8#027 )))" ;;
    *)
      redis_ha_jvm=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xmx128m) ;;
  esac
  # glibc gives each thread that allocates natively its own malloc arena (64 MB reserved, a few MB
  # touched); the JVM needs no more than two. Redis, started by the agent, uses jemalloc.
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  # A list of flags split on blanks, never globbed (-Xlog:gc* must reach java as written).
  local extra
  read -r -a extra <<< "${REDIS_HA_JAVA_OPTS:-}"
  redis_ha_jvm+=("${extra[@]}")
}
