#!/usr/bin/env bash
# Training benchmark (issue: training engine). One run, side by side, same synthetic credit data, local[2]:
# time to a holdout AUC for paramavg and fedavg vs dl4j-paramavg, paramavg examples/s vs one process without
# Spark, FedAvg vs FedSGD rounds to target (IID, label-skewed), FedProx vs FedAvg with stragglers.
# Usage: benchmarks/training.sh [ROWS=50000] [LAKE=benchmarks/lake-training] [TARGET_AUC=0.80] [PARTS=speed,fedsgd,fedprox]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$HERE/benchmarks/java-main.sh" io.fedlake.bench.TrainingBenchmark "${1:-50000}" "${2:-$HERE/benchmarks/lake-training}" "${3:-0.80}" "${4:-speed,fedsgd,fedprox}"
