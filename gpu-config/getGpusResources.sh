#!/usr/bin/env bash
# Spark GPU discovery script (spark.{worker,executor,driver}.resource.gpu.discoveryScript): prints the GPUs this
# host or container sees, as Spark's ResourceInformation JSON, e.g. {"name": "gpu", "addresses": ["0","1"]}.
# The addresses are nvidia-smi indices, which are also the CUDA device ordinals ND4J uses as long as the executor
# does not renumber them with CUDA_VISIBLE_DEVICES (YARN and the Kubernetes device plugin expose only the
# container's GPUs, numbered from 0, so index and ordinal still agree). Ship it with spark-submit --files.
# Same output as spark-rapids' getGpusResources.sh; it fails (exit 1, one line on stderr) instead of reporting
# no GPU, so a misconfigured executor does not start rather than running silently on CPU.
set -euo pipefail
command -v nvidia-smi >/dev/null || { echo "getGpusResources.sh: nvidia-smi not found: no NVIDIA driver on $(hostname)" >&2; exit 1; }
ADDRS="$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | paste -sd, -)"
[[ -n "$ADDRS" ]] || { echo "getGpusResources.sh: nvidia-smi lists no GPU on $(hostname)" >&2; exit 1; }
echo "{\"name\": \"gpu\", \"addresses\": [\"${ADDRS//,/\",\"}\"]}"
