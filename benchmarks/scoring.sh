#!/usr/bin/env bash
# Scoring throughput benchmark (issue: multimodal batch scoring). One run, side by side, same Delta input:
# Fedlake's scorer vs Spark MLlib's MultilayerPerceptronClassificationModel (same hidden layers) vs the raw
# ND4J forward pass. Usage: benchmarks/scoring.sh [ROWS=1000000] [LAKE=benchmarks/lake] [BATCH=16384]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$HERE/fedlake" --help > /dev/null   # builds when needed
TARGET="$HERE/spark-jobs/target"
JAR="$(ls "$TARGET"/fedlake-spark-jobs-*.jar | grep -v -- '-app.jar' | head -1)"
read -r -a JVM_FLAGS < "$TARGET/launcher/jvm-flags.txt"
export SPARK_LOCAL_IP=127.0.0.1
exec java -Xmx"${FEDLAKE_DRIVER_MEMORY:-6g}" "${JVM_FLAGS[@]}" -Dspark.master="${SPARK_MASTER:-local[2]}" \
  -cp "$JAR:$(cat "$TARGET/launcher/classpath.txt")" io.fedlake.bench.ScoringBenchmark "${1:-1000000}" "${2:-$HERE/benchmarks/lake}" "${3:-16384}"
