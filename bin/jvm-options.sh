# JVM settings of redis-ha, sourced by bin/redis-ha and by the Debian package's /usr/bin/redis-ha
# (installed as /usr/share/redis-ha/jvm-options.sh), so both launchers start the JVM alike.
#
# docs/tuning.md, "JVM and operating system", says why and shows the figures: the agent (run,
# demo) gets a small fixed heap and the Serial collector, so its memory is bounded and no GC
# threads compete with the advert and probe threads on a busy host; every other subcommand is a
# short-lived client and gets settings for a fast start instead. REDIS_HA_JAVA_OPTS is added
# last, so any of its flags wins over these defaults.
#
# redis_ha_java_args SUBCOMMAND: sets the array redis_ha_jvm to the JVM flags for SUBCOMMAND.
redis_ha_java_args() {
  case "${1:-}" in
    run|demo)
      redis_ha_jvm=(-Xms64m -Xmx256m -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m
        -XX:+ExitOnOutOfMemoryError) ;;
    *)
      redis_ha_jvm=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xmx128m) ;;
  esac
  # A list of flags split on blanks, never globbed (-Xlog:gc* must reach java as written).
  local extra
  read -r -a extra <<< "${REDIS_HA_JAVA_OPTS:-}"
  redis_ha_jvm+=("${extra[@]}")
}
