#!/usr/bin/env bash
# The operator at scale: a real etcd and kube-apiserver of their own (dev/cluster with no controller-manager, so no
# ReplicaSets start real pods), the operator jar run as a user runs it (the chart's jvmOptions, direct scraping), N
# ScaledApis over 10 namespaces and M stand-in pods (Pod objects marked Ready with a loopback podIP, all served by one
# cheap Prometheus endpoint whose counters move, so that every tick scrapes for real). After every resource has been
# scraped and WARMUP seconds more, it measures for MEASURE seconds and prints, as its last line, one JSON object:
#   {"scaledApis","pods","cpuCores","rssMiB","statusWritesPerSecond","apiRequestsPerSecond","tickLatenessP99Ms"}
# CPU and RSS are the operator process's (/proc); API requests and status writes come from the API server's own
# apiserver_request_total; tick lateness from the operator's scaledapi_tick_lateness_seconds histogram.
#   bench/operator-scale.sh [SCALEDAPIS (500)] [PODS (2000)]      WARMUP (60) MEASURE (60) in the environment
# Everything listens on 127.0.0.1 and is stopped by PID at the end. Run it alone: it needs both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
SCALEDAPIS="${1:-500}"
PODS="${2:-2000}"
WARMUP="${WARMUP:-60}"
MEASURE="${MEASURE:-60}"
export SCALEDAPI_CLUSTER_DIR="${SCALEDAPI_CLUSTER_DIR:-$(mktemp -d /tmp/operator-scale.XXXXXX)}"
export SCALEDAPI_API_PORT="${SCALEDAPI_API_PORT:-17443}" SCALEDAPI_ETCD_PORT="${SCALEDAPI_ETCD_PORT:-13379}"
export SCALEDAPI_CONTROLLER_MANAGER=false SCALEDAPI_NODE=none
. dev/versions
KUBECTL="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/${K8S_VERSION}-linux-amd64/kubectl"

if [ ! -f operator/target/scaledapi-operator-tests.jar ] || [ -n "$(find operator/src pom.xml operator/pom.xml -newer operator/target/scaledapi-operator-tests.jar -print -quit)" ]; then
  echo "operator-scale: building the operator" >&2
  mvn -q -B -DskipTests -pl operator -am install >&2
fi
JVM_OPTIONS=$(sed -n 's/^jvmOptions: "\(.*\)"$/\1/p' helm/scaledapi-operator/values.yaml)
[ -n "$JVM_OPTIONS" ] || { echo "operator-scale: no jvmOptions in the chart's values.yaml" >&2; exit 1; }

OPERATOR_PID=""
cleanup() {
  [ -n "$OPERATOR_PID" ] && kill "$OPERATOR_PID" 2>/dev/null && wait "$OPERATOR_PID" 2>/dev/null || true
  dev/cluster down >/dev/null 2>&1 || true
}
trap cleanup EXIT

export KUBECONFIG
KUBECONFIG=$(dev/cluster new)
"$KUBECTL" apply --server-side -f crds/scaledapis.scaledapi.io-v1.yml >/dev/null
"$KUBECTL" wait --for condition=established --timeout=60s crd/scaledapis.scaledapi.io >/dev/null

HEALTH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18081)
LOG="$SCALEDAPI_CLUSTER_DIR/logs/operator.log"
JAVA_TOOL_OPTIONS="$JVM_OPTIONS" LEADER_ELECTION=false SCRAPE_MODE=direct HEALTH_ADDRESS=127.0.0.1 HEALTH_PORT="$HEALTH_PORT" \
  java -jar operator/target/scaledapi-operator.jar >"$LOG" 2>&1 &
OPERATOR_PID=$!
echo "operator-scale: operator pid $OPERATOR_PID (JAVA_TOOL_OPTIONS=$JVM_OPTIONS), log $LOG" >&2
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$HEALTH_PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$OPERATOR_PID" 2>/dev/null || { tail -20 "$LOG" >&2; exit 1; }
  sleep 0.5
done

java -cp "operator/target/scaledapi-operator-tests.jar:operator/target/scaledapi-operator.jar:operator/target/lib/*" \
  io.scaledapi.operator.bench.OperatorScaleBench "$SCALEDAPIS" "$PODS" "$OPERATOR_PID" \
  "http://127.0.0.1:$HEALTH_PORT/metrics" "$WARMUP" "$MEASURE"
