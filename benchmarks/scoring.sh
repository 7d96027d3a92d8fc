#!/usr/bin/env bash
# Scoring throughput benchmark (issue: multimodal batch scoring). One run, side by side, same Delta input:
# Fedlake's scorer vs Spark MLlib's MultilayerPerceptronClassificationModel (same hidden layers) vs the raw
# ND4J forward pass. Usage: benchmarks/scoring.sh [ROWS=1000000] [LAKE=benchmarks/lake] [BATCH=16384]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$HERE/benchmarks/java-main.sh" io.fedlake.bench.ScoringBenchmark "${1:-1000000}" "${2:-$HERE/benchmarks/lake}" "${3:-16384}"
