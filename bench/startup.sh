#!/usr/bin/env bash
# sample-api's cold start, the way a new replica pays it: a pod under the example's CPU limit (its own cgroup) with
# the example's env (RENDER_CPU_TIME, WARMUP_REQUESTS), from JVM start to ready (after its warm-up requests), then
# k6 at RATE req/s for FIRST_SECONDS. For each way to start it, on dev/jdk's JDK (25):
#   fat jar             java -jar sample-api.jar
#   CDS, C1             the extracted jar with a class-data-sharing archive (Spring Boot's recipe, made here), C1 only
#   AOT cache, C1       the extracted jar with dev/sample-api-aot's AOT cache, C1 only (what the image runs)
#   AOT cache, C2       the same cache with both compilers
# it prints the median of ROUNDS runs (run in turn, so that a change in the machine's load spreads over all of them)
# of CPU-seconds to ready, wall seconds to ready, and p95/p99 of the first seconds, then one JSON line with them.
#   bench/startup.sh
# Env: ROUNDS (5), CPU_LIMIT (the example's limits.cpu), WARMUP_REQUESTS (the example's), RATE (300),
#      FIRST_SECONDS (10), PORT (18080), ONLY (a variant's label, to run just that one).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
example=examples/catalog.yaml
ROUNDS="${ROUNDS:-5}"
RATE="${RATE:-300}"
FIRST_SECONDS="${FIRST_SECONDS:-10}"
PORT="${PORT:-18080}"
CPU_LIMIT="${CPU_LIMIT:-$(awk '/limits:/ { l = 1 } l && $1 == "cpu:" { gsub(/"/, "", $2); print $2; exit }' "$example")}"
read -r -a EXAMPLE_ENV <<<"$(awk '$1 == "-" && $2 == "name:" { name = $3 } $1 == "value:" && name { gsub(/"/, "", $2); printf "%s=%s ", name, $2; name = "" }' "$example")"
[ -n "${WARMUP_REQUESTS:-}" ] && EXAMPLE_ENV+=("WARMUP_REQUESTS=$WARMUP_REQUESTS")
millicores() { case "$1" in *m) echo "${1%m}" ;; *) awk -v c="$1" 'BEGIN { printf "%d", c * 1000 }' ;; esac; }
QUOTA_US=$(( $(millicores "$CPU_LIMIT") * 100 ))

[ -f sample-api/target/sample-api.jar ] || mvn -q -B -DskipTests -pl sample-api -am package
AOT=$(dev/sample-api-aot)
JAVA="$AOT/java"
K6=$(dev/k6-binary)
WORK=$(mktemp -d)
POD_PID=""; GROUP=""
cleanup() {
  [ -n "$POD_PID" ] && kill "$POD_PID" 2>/dev/null && wait "$POD_PID" 2>/dev/null || true
  [ -n "$GROUP" ] && rmdir "$GROUP"/* "$GROUP" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# A CPU-limited cgroup for one run: cgroup v1 (cpu and cpuacct) or v2 (cpu.max, cpu.stat).
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  V=2
else
  V=1
fi
group_create() { # NAME -> sets GROUP
  if [ "$V" = 2 ]; then
    GROUP=/sys/fs/cgroup/$1; mkdir -p "$GROUP"; echo "$QUOTA_US 100000" >"$GROUP/cpu.max"
  else
    GROUP=$WORK/groups; mkdir -p "$GROUP"
    mkdir -p "/sys/fs/cgroup/cpu/$1" "/sys/fs/cgroup/cpuacct/$1"
    ln -sfn "/sys/fs/cgroup/cpu/$1" "$GROUP/cpu"; ln -sfn "/sys/fs/cgroup/cpuacct/$1" "$GROUP/cpuacct"
    echo 100000 >"$GROUP/cpu/cpu.cfs_period_us"; echo "$QUOTA_US" >"$GROUP/cpu/cpu.cfs_quota_us"
  fi
}
group_join() { # PID
  if [ "$V" = 2 ]; then echo "$1" >"$GROUP/cgroup.procs"; else echo "$1" >"$GROUP/cpu/tasks"; echo "$1" >"$GROUP/cpuacct/tasks"; fi
}
group_cpu_seconds() {
  if [ "$V" = 2 ]; then awk '$1 == "usage_usec" { printf "%.3f", $2 / 1e6 }' "$GROUP/cpu.stat"
  else awk '{ printf "%.3f", $1 / 1e9 }' "$GROUP/cpuacct/cpuacct.usage"; fi
}
group_remove() {
  if [ "$V" = 2 ]; then rmdir "$GROUP"; else rmdir "$(readlink "$GROUP/cpu")" "$(readlink "$GROUP/cpuacct")"; rm -rf "$GROUP"; fi
  GROUP=""
}

# The CDS variant's archive, made once here with this JDK (Spring Boot's recipe: start once, exit on refresh).
CDS=$WORK/cds
"$JAVA" -Djarmode=tools -jar sample-api/target/sample-api.jar extract --destination "$CDS" >/dev/null
SERVER_PORT=0 MANAGEMENT_SERVER_PORT=0 SERVER_ADDRESS=127.0.0.1 "$JAVA" -XX:ArchiveClassesAtExit="$CDS/sample-api.jsa" \
  -Dspring.context.exit=onRefresh -jar "$CDS/sample-api.jar" >"$WORK/cds-training.log" 2>&1

LABELS=("fat jar" "CDS, C1" "AOT cache, C1" "AOT cache, C2")
args_for() {
  case "$1" in
    "fat jar") echo "-jar sample-api/target/sample-api.jar" ;;
    "CDS, C1") echo "-XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=$CDS/sample-api.jsa -Xlog:cds=off -jar $CDS/sample-api.jar" ;;
    "AOT cache, C1") echo "-XX:TieredStopAtLevel=1 -XX:AOTCache=$AOT/sample-api.aot -jar $AOT/sample-api.jar" ;;
    "AOT cache, C2") echo "-XX:AOTCache=$AOT/sample-api.aot -jar $AOT/sample-api.jar" ;;
  esac
}

one_run() { # LABEL -> "cpuSeconds wallSeconds p95Ms p99Ms"
  local label="$1" args log started ready cpu first
  read -r -a args <<<"$(args_for "$label")"
  log=$WORK/pod.log
  group_create "scaledapi-startup-$$"
  started=$(date +%s.%N)
  ( group_join "$BASHPID"
    exec env "${EXAMPLE_ENV[@]}" SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT=$((PORT + 1)) \
      "$JAVA" "${args[@]}" ) >"$log" 2>&1 &
  POD_PID=$!
  for _ in $(seq 1 1200); do
    curl -fs "http://127.0.0.1:$((PORT + 1))/actuator/health/readiness" >/dev/null 2>&1 && break
    kill -0 "$POD_PID" 2>/dev/null || { cat "$log" >&2; echo "startup: the pod exited ($label)" >&2; exit 1; }
    sleep 0.1
  done
  ready=$(date +%s.%N)
  cpu=$(group_cpu_seconds)
  first=$(BASE_URL="http://127.0.0.1:$PORT" RATE="$RATE" DURATION="$FIRST_SECONDS" "$K6" run -q --no-color k6/rate-step.js 2>"$WORK/k6.err" | tail -1)
  kill "$POD_PID"; wait "$POD_PID" 2>/dev/null || true; POD_PID=""
  group_remove
  awk -v a="$started" -v b="$ready" -v c="$cpu" 'BEGIN { printf "%s %.2f ", c, b - a }'
  python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print("%.1f %.1f" % (d["p95Ms"], d["p99Ms"]))' "$first"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
"$JAVA" -version 2>&1 | head -1
echo "startup: limits.cpu $CPU_LIMIT, ${EXAMPLE_ENV[*]}, then $RATE req/s for $FIRST_SECONDS s; median of $ROUNDS"
for _ in $(seq 1 "$ROUNDS"); do
  for label in "${LABELS[@]}"; do
    [ -z "${ONLY:-}" ] || [ "$ONLY" = "$label" ] || continue
    echo "$label|$(one_run "$label")" >>"$WORK/runs"
  done
done
json="{\"cpuLimit\":\"$CPU_LIMIT\",\"rate\":$RATE,\"rounds\":$ROUNDS,\"variants\":{"
sep=""
for label in "${LABELS[@]}"; do
  grep -q "^$label|" "$WORK/runs" || continue
  col() { grep "^$label|" "$WORK/runs" | cut -d'|' -f2 | awk -v i="$1" '{ print $i }' | median; }
  cpu=$(col 1); wall=$(col 2); p95=$(col 3); p99=$(col 4)
  printf '%-15s CPU to ready %5s s   wall to ready %5s s   first %s s: p95 %6s ms  p99 %6s ms\n' "$label" "$cpu" "$wall" "$FIRST_SECONDS" "$p95" "$p99"
  json="$json$sep\"$label\":{\"cpuSecondsToReady\":$cpu,\"wallSecondsToReady\":$wall,\"firstP95Ms\":$p95,\"firstP99Ms\":$p99}"
  sep=","
done
echo "$json}}"
