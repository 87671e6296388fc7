#!/usr/bin/env bash
# One sample-api pod's capacity under a CPU limit, measured on the local cluster's real node: examples/catalog.yaml
# held at one replica (its image, CPU and memory limits, cache and env; no start-up boost, so the pod runs at its
# steady limit from the start). After a warm-up, k6 sends an open-model load (k6/rate-step.js) straight to the pod's
# IP (no proxy in between) that rises by STEP_PERCENT a step until p95 passes P95_LIMIT_MS (or a request fails, or k6
# drops arrivals). The pod's CPU time and working set are read from its cgroup, as the kubelet reads them. It prints
# each step, then the highest rate that held and the CPU it used, and as its last line one JSON object:
#   {"cpuLimit":"...","renderCpuTime":"...","heldRate":N,"p95Ms":x,"cpuCores":y,"memoryMiB":z}
# The example's targetRequestsPerSecond is about 75 % of heldRate (examples/catalog.yaml says which run it came from).
#   bench/pod-capacity.sh [CPU_LIMIT]      (default: the example's limits.cpu; 140m: a pod 30 % weaker)
# Env: RENDER_CPU_TIME (the example's), START_RATE (200), STEP_PERCENT (10), STEP_SECONDS (15), WARMUP_SECONDS (30),
#      P95_LIMIT_MS (50), ARRIVALS (even | poisson), OUT (pod-capacity-out/: the cluster's logs).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
example=examples/catalog.yaml
CPU_LIMIT="${1:-$(awk '/limits:/ { l = 1 } l && $1 == "cpu:" { gsub(/"/, "", $2); print $2; exit }' "$example")}"
RENDER_CPU_TIME="${RENDER_CPU_TIME:-$(awk '$2 == "name:" && $3 == "RENDER_CPU_TIME" { getline; gsub(/"/, "", $2); print $2; exit }' "$example")}"
START_RATE="${START_RATE:-200}"
STEP_PERCENT="${STEP_PERCENT:-10}"
STEP_SECONDS="${STEP_SECONDS:-15}"
WARMUP_SECONDS="${WARMUP_SECONDS:-30}"
P95_LIMIT_MS="${P95_LIMIT_MS:-50}"
OUT="${OUT:-pod-capacity-out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export POD_CPU_LIMIT="$CPU_LIMIT" RENDER_CPU_TIME CPU_BOOST_PERCENT=0
SCALEDAPI_NODE=real
. dev/local-run.sh

local_start
local_apply 1 1
POD_IP=$($KUBECTL get pods -l scaledapi.io/name=catalog -o jsonpath='{.items[0].status.podIP}')
POD_UID=$($KUBECTL get pods -l scaledapi.io/name=catalog -o jsonpath='{.items[0].metadata.uid}')
API_PORT=$($KUBECTL get pods -l scaledapi.io/name=catalog -o jsonpath='{.items[0].spec.containers[0].ports[?(@.name=="http")].containerPort}')
# The pod's cgroups (cgroup v1 here; v2 where the machine has it), found by the kubelet's pod<uid> name.
pod_group() { # the hierarchies to look in -> the first pod<uid> directory
  find "$@" -maxdepth 3 -type d -name "pod$POD_UID" 2>/dev/null | head -1 || true
}
if [ -d /sys/fs/cgroup/cpuacct ]; then
  CPU_GROUP=$(pod_group /sys/fs/cgroup/cpuacct/) MEMORY_GROUP=$(pod_group /sys/fs/cgroup/memory/)
else
  CPU_GROUP=$(pod_group /sys/fs/cgroup/) MEMORY_GROUP=$CPU_GROUP
fi
[ -n "$CPU_GROUP" ] && [ -n "$MEMORY_GROUP" ] || { echo "pod-capacity: no cgroup found for pod $POD_UID" >&2; exit 1; }
echo "pod-capacity: $example at limits.cpu $CPU_LIMIT, RENDER_CPU_TIME $RENDER_CPU_TIME: pod $POD_IP:$API_PORT ($CPU_GROUP)"

# CPU-seconds and working-set bytes (usage less inactive file pages, the kubelet's working set).
usage() {
  if [ -f "$CPU_GROUP/cpuacct.usage" ]; then
    awk -v cpu="$(cat "$CPU_GROUP/cpuacct.usage")" -v used="$(cat "$MEMORY_GROUP/memory.usage_in_bytes")" \
      '$1 == "total_inactive_file" { i = $2 } END { printf "%.6f %d\n", cpu / 1e9, used - i }' "$MEMORY_GROUP/memory.stat"
  else
    awk -v used="$(cat "$MEMORY_GROUP/memory.current")" -v stat="$MEMORY_GROUP/memory.stat" '
      $1 == "usage_usec" { cpu = $2 / 1e6 }
      END { while ((getline line < stat) > 0) { split(line, f, " "); if (f[1] == "inactive_file") i = f[2] }
            printf "%.6f %d\n", cpu, used - i }' "$CPU_GROUP/cpu.stat"
  fi
}
step() { # rate seconds -> the k6 JSON line
  BASE_URL="http://$POD_IP:$API_PORT" RATE="$1" DURATION="$2" "$K6" run -q --no-color k6/rate-step.js 2>"$OUT/k6.err" | tail -1
}
step "$START_RATE" "$WARMUP_SECONDS" >/dev/null
echo "pod-capacity: warmed up for ${WARMUP_SECONDS} s at $START_RATE req/s"
printf '%8s %8s %8s %10s %8s %9s %10s\n' "req/s" "p95 ms" "p99 ms" "failed" "dropped" "cpu cores" "memory MiB"
held=""; rate="$START_RATE"
while true; do
  before=$(usage); t0=$(date +%s.%N)
  line=$(step "$rate" "$STEP_SECONDS")
  after=$(usage); t1=$(date +%s.%N)
  cores=$(echo "$before $after $t0 $t1" | awk '{ printf "%.3f", ($3 - $1) / ($6 - $5) }')
  memory=$(echo "$after" | awk '{ printf "%.0f", $2 / 1048576 }')
  read -r p95 p99 failed dropped < <(echo "$line" | sed 's/[{}"]//g' | tr ',' '\n' | awk -F: '
    { v[$1] = $2 } END { printf "%.1f %.1f %.4f %d\n", v["p95Ms"], v["p99Ms"], v["failedRate"], v["dropped"] }')
  printf '%8s %8s %8s %10s %8s %9s %10s\n' "$rate" "$p95" "$p99" "$failed" "$dropped" "$cores" "$memory"
  if awk -v p="$p95" -v f="$failed" -v d="$dropped" -v limit="$P95_LIMIT_MS" 'BEGIN { exit !(p > limit || f > 0.001 || d > 0) }'; then
    break
  fi
  held="$rate $p95 $cores $memory"
  rate=$(( rate + (rate * STEP_PERCENT + 99) / 100 ))
done
[ -n "$held" ] || { echo "pod-capacity: not even $START_RATE req/s held; lower START_RATE" >&2; exit 1; }
read -r held_rate held_p95 held_cores held_memory <<<"$held"
echo "pod-capacity: held $held_rate req/s (p95 $held_p95 ms) using $held_cores cores of $CPU_LIMIT; 75 % of it is $(( held_rate * 3 / 4 )) req/s"
printf '{"cpuLimit":"%s","renderCpuTime":"%s","heldRate":%s,"p95Ms":%s,"cpuCores":%s,"memoryMiB":%s}\n' \
  "$CPU_LIMIT" "$RENDER_CPU_TIME" "$held_rate" "$held_p95" "$held_cores" "$held_memory"
