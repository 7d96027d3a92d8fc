#!/usr/bin/env bash
# FOR TESTS ONLY: a GPU discovery script that reports GPUs which do not exist, so Spark's GPU scheduling
# (resource amounts, address assignment per task) can be exercised on a CPU machine. The addresses come from
# FEDLAKE_FAKE_GPUS (comma-separated, default "0,1"). Fedlake's device binding refuses fake addresses under the
# CPU ND4J backend unless spark.fedlake.gpu.simulate=true (then it records the selection and stays on CPU).
set -euo pipefail
ADDRS="${FEDLAKE_FAKE_GPUS:-0,1}"
echo "{\"name\": \"gpu\", \"addresses\": [\"${ADDRS//,/\",\"}\"]}"
