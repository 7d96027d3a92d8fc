#!/usr/bin/env bash
# Runs a Fedlake main class on the launcher's classpath (built by ./fedlake when sources changed), bound to
# loopback, with FEDLAKE_DRIVER_MEMORY (default 6g) and SPARK_MASTER (default local[2]). Used by the harnesses.
# Usage: benchmarks/java-main.sh CLASS [ARGS...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$HERE/fedlake" --help > /dev/null   # builds when needed
TARGET="$HERE/spark-jobs/target"
JAR="$(ls "$TARGET"/fedlake-spark-jobs-*.jar | grep -v -- '-app.jar' | head -1)"
read -r -a JVM_FLAGS < "$TARGET/launcher/jvm-flags.txt"
export SPARK_LOCAL_IP=127.0.0.1
CLASS="$1"
shift
exec java -Xmx"${FEDLAKE_DRIVER_MEMORY:-6g}" "${JVM_FLAGS[@]}" -Dspark.master="${SPARK_MASTER:-local[2]}" \
  -cp "$JAR:$(cat "$TARGET/launcher/classpath.txt")" "$CLASS" "$@"
