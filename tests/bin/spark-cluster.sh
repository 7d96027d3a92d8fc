#!/usr/bin/env bash
# A real Spark 3.5.5 standalone cluster on loopback, from the distribution tests/bin/spark-dist.sh installs:
# one master and N workers, each its own JVM, bound to 127.0.0.1, with their own work dirs and logs under DIR.
#
#   tests/bin/spark-cluster.sh start DIR [WORKERS [CORES [MEMORY]]]   (defaults: 2 workers, 2 cores, 2g each)
#       prints the master URL (spark://127.0.0.1:PORT) once every worker has registered; DIR/master-url holds it
#   tests/bin/spark-cluster.sh stop DIR          stops every JVM it started (also ones left by a failed test)
#   tests/bin/spark-cluster.sh kill-worker DIR I kills worker I (1-based) with SIGKILL: a crashed machine
#
# Ports are chosen by the JVMs (0) and read back from their logs, so clusters of parallel runs never collide.
# The master's web UI is off; worker UIs bind to 127.0.0.1 on free ports. Nothing listens beyond loopback.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cmd="${1:-}"
DIR="${2:-}"
[[ -n "$cmd" && -n "$DIR" ]] || { echo "usage: $0 start|stop|kill-worker DIR [...]" >&2; exit 2; }
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

wait_for() { # file pattern seconds: prints the first match of an extended regex in the file
  local file="$1" pattern="$2" seconds="$3" i
  for ((i = 0; i < seconds * 10; i++)); do
    if [[ -f "$file" ]] && grep -Eo "$pattern" "$file" | head -1 | grep .; then
      return 0
    fi
    sleep 0.1
  done
  echo "spark-cluster: no '$pattern' in $file after ${seconds} s:" >&2
  tail -30 "$file" >&2 || true
  return 1
}

case "$cmd" in
  start)
    WORKERS="${3:-2}"
    CORES="${4:-2}"
    MEMORY="${5:-2g}"
    SPARK_HOME="$(bash "$HERE/tests/bin/spark-dist.sh")"
    export SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1
    # The daemons' own settings (never the applications'): no master UI, loopback only.
    export SPARK_CONF_DIR="$DIR/conf"
    mkdir -p "$SPARK_CONF_DIR"
    cat > "$SPARK_CONF_DIR/spark-defaults.conf" <<EOF
spark.ui.enabled false
spark.driver.host 127.0.0.1
spark.driver.bindAddress 127.0.0.1
spark.worker.cleanup.enabled false
EOF
    : > "$DIR/pids"
    nohup "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 \
      > "$DIR/master.log" 2>&1 &
    echo "master $!" >> "$DIR/pids"
    url="$(wait_for "$DIR/master.log" 'spark://127\.0\.0\.1:[0-9]+' 60)"
    for ((w = 1; w <= WORKERS; w++)); do
      mkdir -p "$DIR/worker-$w"
      nohup "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
        --cores "$CORES" --memory "$MEMORY" --work-dir "$DIR/worker-$w" "$url" > "$DIR/worker-$w.log" 2>&1 &
      echo "worker-$w $!" >> "$DIR/pids"
    done
    for ((w = 1; w <= WORKERS; w++)); do
      wait_for "$DIR/worker-$w.log" 'Successfully registered with master' 60 > /dev/null
    done
    echo "$url" > "$DIR/master-url"
    echo "$url"
    ;;
  stop)
    [[ -f "$DIR/pids" ]] || exit 0
    while read -r name pid; do
      # the JVM is a child of spark-class's exec chain: kill the process and anything it started
      pkill -TERM -P "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
    done < "$DIR/pids"
    sleep 1
    while read -r name pid; do
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    done < "$DIR/pids"
    rm -f "$DIR/pids"
    ;;
  kill-worker)
    I="${3:?worker number}"
    pid="$(awk -v n="worker-$I" '$1 == n {print $2}' "$DIR/pids")"
    [[ -n "$pid" ]] || { echo "spark-cluster: no worker-$I in $DIR/pids" >&2; exit 1; }
    # the worker and the executors it launched, as a crashed machine would lose them
    for child in $(pgrep -P "$pid" || true); do pkill -KILL -P "$child" 2>/dev/null || true; kill -KILL "$child" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop|kill-worker DIR [...]" >&2
    exit 2
    ;;
esac
