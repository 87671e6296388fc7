#!/usr/bin/env bash
# One sample-api pod's capacity under a CPU limit, measured: the pod runs in a cgroup with a container's limits
# (the node agent's own mechanism, PodCgroupRun) and the demo's settings from examples/catalog.yaml (CPU and memory
# limits, cache, its env); after a warm-up, k6 offers an open-model load (k6/rate-step.js) that rises by
# STEP_PERCENT a step until p95 passes P95_LIMIT_MS (or a request fails, or k6 drops arrivals). It prints each step,
# then the highest rate that held and the CPU it used, and as its last line one JSON object:
#   {"cpuLimit":"...","renderCpuTime":"...","heldRate":N,"p95Ms":x,"cpuCores":y,"memoryMiB":z}
# The demo's targetRequestsPerSecond is about 75 % of heldRate (examples/catalog.yaml says which run it came from).
#   bench/pod-capacity.sh [CPU_LIMIT]      (default: the example's limits.cpu)
# Env: RENDER_CPU_TIME, MEMORY_LIMIT (the example's), START_RATE (200), STEP_PERCENT (10), STEP_SECONDS (15),
#      WARMUP_SECONDS (30), P95_LIMIT_MS (50), ARRIVALS (even | poisson), PORT (18080).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
example=examples/catalog.yaml
from_example() { awk -v key="$1" '$1 == key ":" { gsub(/"/, "", $2); print $2; exit }' "$example"; }
CPU_LIMIT="${1:-$(awk '/limits:/ { l = 1 } l && $1 == "cpu:" { gsub(/"/, "", $2); print $2; exit }' "$example")}"
MEMORY_LIMIT="${MEMORY_LIMIT:-$(awk '/limits:/ { l = 1 } l && $1 == "memory:" { print $2; exit }' "$example")}"
# The container env the example sets (RENDER_CPU_TIME, WARMUP_REQUESTS, ...), NAME=value each.
read -r -a EXAMPLE_ENV <<<"$(awk '$1 == "-" && $2 == "name:" { name = $3 } $1 == "value:" && name { gsub(/"/, "", $2); printf "%s=%s ", name, $2; name = "" }' "$example")"
RENDER_CPU_TIME="${RENDER_CPU_TIME:-$(printf '%s\n' "${EXAMPLE_ENV[@]}" | sed -n 's/^RENDER_CPU_TIME=//p')}"
RENDER_CPU_TIME="${RENDER_CPU_TIME:-0}"
CACHE_TTL="$(from_example ttl)"
START_RATE="${START_RATE:-200}"
STEP_PERCENT="${STEP_PERCENT:-10}"
STEP_SECONDS="${STEP_SECONDS:-15}"
WARMUP_SECONDS="${WARMUP_SECONDS:-30}"
P95_LIMIT_MS="${P95_LIMIT_MS:-50}"
PORT="${PORT:-18080}"
MANAGEMENT_PORT="${MANAGEMENT_PORT:-18081}"

[ -f node-agent/target/node-agent.jar ] && [ -f sample-api/target/sample-api.jar ] || mvn -q -B -DskipTests package
dev/sample-api-aot >/dev/null
K6=$(dev/k6-binary)
# The command the local node runs for the sample-api image.
read -r -a COMMAND <<<"$(awk -F' = ' '/^scaledapi\/sample-api:/ { print $2 }' dev/images.conf)"
WORK=$(mktemp -d)
POD_PID=""
cleanup() {
  [ -n "$POD_PID" ] && kill "$POD_PID" 2>/dev/null && wait "$POD_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

echo "pod-capacity: sample-api with limits.cpu $CPU_LIMIT, limits.memory $MEMORY_LIMIT, CACHE_TTL $CACHE_TTL, ${EXAMPLE_ENV[*]} RENDER_CPU_TIME=$RENDER_CPU_TIME"
env "${EXAMPLE_ENV[@]}" SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT="$MANAGEMENT_PORT" CACHE_TTL="$CACHE_TTL" CACHE_MAX_ENTRIES=100000 RENDER_CPU_TIME="$RENDER_CPU_TIME" \
  java -Xmx64m -cp node-agent/target/node-agent.jar io.scaledapi.nodeagent.PodCgroupRun --cpu "$CPU_LIMIT" \
  --memory "$MEMORY_LIMIT" --usage "$WORK/usage" -- "${COMMAND[@]}" >"$WORK/pod.log" 2>&1 &
POD_PID=$!
started=$(date +%s.%N)
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness" >/dev/null 2>&1 && break
  kill -0 "$POD_PID" 2>/dev/null || { cat "$WORK/pod.log" >&2; echo "pod-capacity: the pod exited" >&2; exit 1; }
  sleep 0.5
done
echo "pod-capacity: ready after $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

usage() { cat "$WORK/usage"; }
step() { # rate seconds -> the k6 JSON line
  BASE_URL="http://127.0.0.1:$PORT" RATE="$1" DURATION="$2" "$K6" run -q --no-color k6/rate-step.js 2>"$WORK/k6.err" | tail -1
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
