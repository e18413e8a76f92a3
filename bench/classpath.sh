# Sourced by the bench scripts: compiles the tests and writes the test classpath to target/bench.cp.
# Offline first (fast, no network); online when the local repository lacks a plugin or dependency,
# as on a fresh machine.
build_bench_classpath() {
  ./mvnw -q -o test-compile >&2 || ./mvnw -q test-compile >&2
  if [ ! -s target/bench.cp ] || [ pom.xml -nt target/bench.cp ]; then
    ./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.cp >&2 \
      || ./mvnw -q dependency:build-classpath -Dmdep.outputFile=target/bench.cp >&2
  fi
}
