#!/usr/bin/env bash
# One short check for a machine with an NVIDIA GPU (driver for CUDA 11.6 or newer). NOT RUN on the build machines
# (they have no GPU): see gpu-config/README.md for what was and was not verified.
#   1. builds the CPU and the GPU application jar from this checkout (or takes FEDLAKE_CPU_JAR / FEDLAKE_GPU_JAR),
#   2. runs gpu-check on a one-worker local-cluster whose worker discovers the real GPUs (getGpusResources.sh),
#   3. generates ROWS credit applications and IMAGES imaging studies, trains a small model of each (CPU),
#   4. scores all of them with the CPU jar on local[*] and with the GPU jar on the GPU cluster (ND4J CUDA, one
#      executor holding every GPU, tasks sharing them), and prints rows/s for both.
# Usage: gpu-config/check-on-gpu.sh [ROWS=1000000] [IMAGES=20000]. About 10 minutes on a 16-core machine with one GPU.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${1:-1000000}"
IMAGES="${2:-20000}"
WORK="${FEDLAKE_CHECK_DIR:-$(mktemp -d /tmp/fedlake-gpu-check.XXXXXX)}"
export SPARK_LOCAL_IP=127.0.0.1
cd "$ROOT"

nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv
NGPU="$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)"
CORES="$(nproc)"
MEM_MB="$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) / 2 ))"
(( MEM_MB > 65536 )) && MEM_MB=65536

if [[ -z "${FEDLAKE_CPU_JAR:-}" || -z "${FEDLAKE_GPU_JAR:-}" ]]; then
  echo "== building the CPU and GPU application jars" >&2
  mvn -B -q -ntp -DskipTests package
  mvn -B -q -ntp -Pgpu -DskipTests package
fi
CPU_JAR="${FEDLAKE_CPU_JAR:-$(ls spark-jobs/target/fedlake-spark-jobs-*-app.jar | grep -v -- '-gpu-app.jar' | head -1)}"
GPU_JAR="${FEDLAKE_GPU_JAR:-$(ls spark-jobs/target/fedlake-spark-jobs-*-gpu-app.jar | head -1)}"
SPARK_HOME="$(tests/bin/spark-dist.sh)"
RAPIDS_JAR="$(tests/bin/rapids-jar.sh)"
DELTA_JARS="$(ls spark-jobs/target/delta-jars/*.jar | paste -sd, -)"
LAKE="$WORK/lake"
# scoring: every core a task, the GPUs shared among them (fractional amounts, see gpu-config/README.md)
TASK_GPU="$(awk -v g="$NGPU" -v c="$CORES" 'BEGIN { printf "%.4f", g / c }')"

cpu() { "$SPARK_HOME/bin/spark-submit" --master "local[*]" --driver-memory 8g --conf spark.ui.enabled=false \
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --properties-file gpu-config/cpu-local.conf \
  --jars "$DELTA_JARS" --class io.fedlake.cli.Fedlake "$CPU_JAR" "$@" --lake "$LAKE"; }
gpu() { "$SPARK_HOME/bin/spark-submit" --master "local-cluster[1,$CORES,$MEM_MB]" --driver-memory 8g --conf spark.ui.enabled=false \
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --properties-file gpu-config/gpu-standalone.conf \
  --conf spark.worker.resource.gpu.amount="$NGPU" --conf spark.worker.resource.gpu.discoveryScript="$ROOT/gpu-config/getGpusResources.sh" \
  --conf spark.executor.resource.gpu.discoveryScript="$ROOT/gpu-config/getGpusResources.sh" \
  --conf spark.executor.resource.gpu.amount="$NGPU" --conf spark.task.resource.gpu.amount="$TASK_GPU" \
  --conf spark.executor.cores="$CORES" --conf spark.task.cpus=1 --conf spark.executor.memory="$(( MEM_MB * 3 / 4 ))m" \
  --conf spark.executor.memoryOverhead="$(( MEM_MB / 8 ))m" --conf spark.rapids.memory.pinnedPool.size=1g \
  --jars "$DELTA_JARS,$RAPIDS_JAR" --files gpu-config/getGpusResources.sh --class io.fedlake.cli.Fedlake "$GPU_JAR" "$@" --lake "$LAKE"; }
rate() { # "… N read = … in S s …" -> rows/s
  sed -nE 's/.*: ([0-9,]+) read = .* in ([0-9.]+) s.*/\1 \2/p' | tr -d , | awk '{ printf "%d rows in %.1f s = %,.0f rows/s\n", $1, $2, $1 / $2 }'; }

echo "== gpu-check (GPU jar, $NGPU GPU(s), $CORES cores, task gpu amount $TASK_GPU)"
gpu gpu-check
echo "== data and models (CPU jar): $ROWS credit rows, $IMAGES images"
cpu generate --domain credit --rows "$ROWS"
cpu train --domain credit --epochs 1
cpu generate --domain imaging --rows "$IMAGES"
cpu train --domain imaging --regime paramavg --epochs 1

for domain in credit imaging; do
  model="$( [[ $domain == credit ]] && echo credit-mlp || echo imaging-fusion )"
  for run in 1 2; do # run 1 warms the caches (JIT, CUDA kernels, files); run 2 is reported
    c="$(cpu score --domain "$domain" --model "$model" --all-dates --date 2026-01-01 | tee /dev/stderr | rate)"
    g="$(gpu score --domain "$domain" --model "$model" --all-dates --date 2026-01-01 | tee /dev/stderr | rate)"
  done
  echo "RESULT $domain CPU (local[*], nd4j-native): $c"
  echo "RESULT $domain GPU ($NGPU GPU(s), nd4j-cuda-11.6, rapids $(basename "$RAPIDS_JAR")): $g"
done
echo "lake and logs in $WORK"
