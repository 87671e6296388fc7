#!/usr/bin/env bash
# The same flash of load on the local cluster (real pods under the example's CPU limits), without and with
# cache.shared (a managed Redis, and warmKeys: 1000, k6's hot set), ROUNDS times each, alternating. Per run it prints:
#   - newPodsReadySeconds: from the first scale-up decision until as many pods are ready as were decided (the new
#     pods carry their share: the Service balances over ready pods only)
#   - originCalls: the catalog pods' calls to their origin from the flash's start to its end (a new pod's warm-up
#     included), summed over the pods
#   - p95Ms, failedRate: k6's figures for the flash step
# and as its last line one JSON object: {"local":[runs...],"shared":[runs...]}.
#   bench/shared-cache-flash.sh [OUT_DIR]      (default: shared-cache-flash-out/)
# Env: ROUNDS (2), MIN_REPLICAS (2), BASE_RATE (400), FLASH_RATE (1000), STEP_SECONDS (60: the base load's and the
#      flash's), MAX_REPLICAS (6).
# The default flash (2 pods at 400 req/s, then 1,000 req/s in 2 s) is one the 2 running pods can carry while the new
# ones start (about 500 req/s each, under the example's measured 578): the new pods' cold or warm start is what
# differs. A flash past the running pods' capacity (1 pod, 200 -> 1,200 req/s) saturated them for the 37-38 s a new
# pod took to start under its 200m CPU limit, with 10 s p95 in both variants.
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
OUT="${1:-shared-cache-flash-out}"
ROUNDS="${ROUNDS:-2}"
MIN_REPLICAS="${MIN_REPLICAS:-2}"
BASE_RATE="${BASE_RATE:-400}"
FLASH_RATE="${FLASH_RATE:-1000}"
STEP_SECONDS="${STEP_SECONDS:-60}"
MAX_REPLICAS="${MAX_REPLICAS:-6}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# k6/capacity.js with two steps: the base load, then the flash, reached in 2 s, judged.
export STEPS="$BASE_RATE,$FLASH_RATE" STEP_SECONDS RAMP_SECONDS=2 JUDGED_FROM="$FLASH_RATE"
. dev/local-run.sh
local_start

# flash_run VARIANT ROUND: one run; writes its JSON object to OUT/VARIANT-ROUND.json. It runs in this shell, not in a
# command substitution: local_apply starts the load's nginx on the first run, and its PID must stay known here.
flash_run() {
  local variant="$1" round="$2" run="$OUT/$1-$2" before after
  SHARED_CACHE=$([ "$variant" = shared ] && echo true || echo false) local_apply "$MIN_REPLICAS" "$MAX_REPLICAS"
  if [ "$variant" = shared ]; then
    for _ in $(seq 1 60); do
      [ "$($KUBECTL get pods -l scaledapi.io/shared-cache-of=catalog -o jsonpath='{.items[0].status.containerStatuses[0].ready}' 2>/dev/null)" = true ] && break
      sleep 1
    done
  fi
  # The base load warms the fleet (and the shared tier) before the flash; its origin calls are counted just before.
  (
    sleep "$((STEP_SECONDS + 1))"
    pods_origin_calls >"$run.origin-before"
  ) &
  local waiter=$!
  mkdir -p "$run"
  local_load "$run" >/dev/null
  wait "$waiter" || true
  after=$(pods_origin_calls)
  before=$(cat "$run.origin-before" 2>/dev/null || echo 0)
  local_delete || { echo "shared-cache-flash: the $variant run's pods did not go away" >&2; exit 1; }
  # From timeline.csv (second,rps_stable,rps_burst,ready,desired,...): the first second desired rose above its
  # starting value, and the first second after it that ready reached the most desired.
  local ready_seconds
  ready_seconds=$(awk -F, 'NR == 2 { first = $5 } NR > 1 && $5 != "" {
      if (start == "" && $5 > first) start = $1
      if ($5 > most) most = $5
      rows[$1] = $4; if ($1 > last) last = $1 }
    END {
      if (start == "") { print "null"; exit }
      for (s = start; s <= last; s++) if (rows[s] != "" && rows[s] + 0 >= most) { print s - start; exit }
      print "null" }' "$run/timeline.csv")
  awk -F, -v variant="$variant" -v round="$round" -v ready="$ready_seconds" -v origin="$((after - before))" -v flash="$FLASH_RATE" '
    NR > 1 && $1 == flash { printf "{\"variant\":\"%s\",\"round\":%d,\"newPodsReadySeconds\":%s,\"originCalls\":%d,\"p95Ms\":%s,\"failedRate\":%s,\"dropped\":%d}\n",
      variant, round, ready, origin, $6, $8, $9 }' "$run/steps.csv"
}

local_results=(); shared_results=()
for round in $(seq 1 "$ROUNDS"); do
  for variant in local shared; do
    flash_run "$variant" "$round" >"$OUT/$variant-$round.json"
    result=$(cat "$OUT/$variant-$round.json")
    echo "shared-cache-flash: $result"
    if [ "$variant" = local ]; then local_results+=("$result"); else shared_results+=("$result"); fi
  done
done
join() { local IFS=,; echo "$*"; }
echo "{\"local\":[$(join "${local_results[@]}")],\"shared\":[$(join "${shared_results[@]}")]}"
