#!/usr/bin/env bash
# Fetches the RAPIDS Accelerator jar (com.nvidia:rapids-4-spark_2.12, ~600 MB) into the local Maven repository once,
# with Maven's own client, and prints its path. Idempotent; safe to call from tests. Never committed, never shaded.
# Env: RAPIDS_VERSION (default 25.04.0), MAVEN_REPO (default ~/.m2/repository), MVN (default mvn on PATH).
set -euo pipefail
VERSION="${RAPIDS_VERSION:-25.04.0}"
REPO="${MAVEN_REPO:-$HOME/.m2/repository}"
MVN="${MVN:-mvn}"
JAR="$REPO/com/nvidia/rapids-4-spark_2.12/$VERSION/rapids-4-spark_2.12-$VERSION.jar"
if [[ ! -s "$JAR" ]]; then
  echo "rapids-jar: fetching com.nvidia:rapids-4-spark_2.12:$VERSION (about 600 MB) into $REPO ..." >&2
  start=$(date +%s)
  "$MVN" -B -q -ntp dependency:get -Dmaven.repo.local="$REPO" -Dartifact="com.nvidia:rapids-4-spark_2.12:$VERSION" -Dtransitive=false >&2
  echo "rapids-jar: fetched in $(( $(date +%s) - start )) s" >&2
fi
[[ -s "$JAR" ]] || { echo "rapids-jar: no $JAR after the download" >&2; exit 1; }
echo "$JAR"
