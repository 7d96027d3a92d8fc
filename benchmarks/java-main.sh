#!/usr/bin/env bash
# Runs a main class of the benchmarks module (benchmarks/src, never part of the application jar) on the launcher's
# classpath: the module's jar, then spark-jobs' jar and spark-jobs/target/launcher/classpath.txt, as ./fedlake runs the
# CLI. Builds both first (mvn -pl benchmarks -am package -DskipTests) when any source changed since the last build.
# Bound to loopback, with FEDLAKE_DRIVER_MEMORY (default 6g) and SPARK_MASTER (default local[2]). Used by the harnesses.
# Usage: benchmarks/java-main.sh CLASS [ARGS...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="$HERE/spark-jobs/target"
BENCH_TARGET="$HERE/benchmarks/target"
STAMP="$BENCH_TARGET/launcher/.built"

needs_build() {
  [[ -f "$STAMP" && -f "$TARGET/launcher/classpath.txt" ]] || return 0
  ls "$BENCH_TARGET"/fedlake-benchmarks-*.jar > /dev/null 2>&1 || return 0
  # benchmarks/ itself also holds the harnesses' lakes: only its pom and sources count
  [[ -n "$(find "$HERE/pom.xml" "$HERE/core" "$HERE/model-zoo" "$HERE/feature-store" "$HERE/spark-jobs" "$HERE/benchmarks/pom.xml" \
      "$HERE/benchmarks/src" -path '*/target' -prune -o -type f \
      \( -name '*.java' -o -name 'pom.xml' -o -name '*.yaml' -o -path '*/src/main/*' \) -newer "$STAMP" -print -quit)" ]]
}

if needs_build; then
  command -v mvn >/dev/null || { echo "java-main.sh: Maven (mvn) is needed to build; install Maven 3.8+ and JDK 17" >&2; exit 1; }
  echo "java-main.sh: building spark-jobs and benchmarks (first run or sources changed)..." >&2
  # the stamp takes the time the build started: a source saved while Maven runs is rebuilt next time
  mkdir -p "$BENCH_TARGET/launcher" && touch "$STAMP.next"
  (cd "$HERE" && mvn -B -q -ntp -DskipTests -pl benchmarks -am package) >&2
  mv "$STAMP.next" "$STAMP"
fi

JAR="$(ls "$TARGET"/fedlake-spark-jobs-*.jar | grep -v -- '-app.jar' | head -1)"
BENCH_JAR="$(ls "$BENCH_TARGET"/fedlake-benchmarks-*.jar | grep -v -- '-tests.jar' | head -1)"
read -r -a JVM_FLAGS < "$TARGET/launcher/jvm-flags.txt"
export SPARK_LOCAL_IP=127.0.0.1
CLASS="$1"
shift
exec java -Xmx"${FEDLAKE_DRIVER_MEMORY:-6g}" "${JVM_FLAGS[@]}" -Dspark.master="${SPARK_MASTER:-local[2]}" \
  -cp "$BENCH_JAR:$JAR:$(cat "$TARGET/launcher/classpath.txt")" "$CLASS" "$@"
