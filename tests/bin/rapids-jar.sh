#!/usr/bin/env bash
# Fetches the RAPIDS Accelerator jar (com.nvidia:rapids-4-spark_2.12, ~600 MB) into the local Maven repository once,
# with Maven's own client, and prints its path. Idempotent; safe to call from tests. Never committed, never shaded.
# Usage: rapids-jar.sh [DIR]: with DIR (the -Pgpu build's spark-jobs/target/rapids-jars) the jar is also copied there.
# Env: RAPIDS_VERSION (default 25.04.0), MAVEN_REPO (default ~/.m2/repository), MVN (default mvn on PATH).
set -euo pipefail
VERSION="${RAPIDS_VERSION:-25.04.0}"
REPO="${MAVEN_REPO:-$HOME/.m2/repository}"
MVN="${MVN:-mvn}"
JAR="$REPO/com/nvidia/rapids-4-spark_2.12/$VERSION/rapids-4-spark_2.12-$VERSION.jar"
if [[ ! -s "$JAR" ]]; then
  echo "rapids-jar: fetching com.nvidia:rapids-4-spark_2.12:$VERSION (about 600 MB) into $REPO ..." >&2
  start=$(date +%s)
  # dependency:copy outside any project resolves the jar alone (checksum-checked). dependency:get, or any goal run
  # inside this project, also reads the jar's POM, whose parent (rapids-4-spark-jdk-profiles_2.12) the registry does
  # not always serve (refused on 2026-12-02). The copy goes to a temp folder, which is also the working directory.
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  (cd "$out" && "$MVN" -B -q -ntp dependency:copy -Dmaven.repo.local="$REPO" -Dartifact="com.nvidia:rapids-4-spark_2.12:$VERSION" \
    -DoutputDirectory="$out") >&2
  echo "rapids-jar: fetched in $(( $(date +%s) - start )) s" >&2
fi
[[ -s "$JAR" ]] || { echo "rapids-jar: no $JAR after the download" >&2; exit 1; }
if [[ $# -gt 0 ]]; then
  mkdir -p "$1"
  cp -p "$JAR" "$1/"
fi
echo "$JAR"
