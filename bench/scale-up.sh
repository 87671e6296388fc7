#!/usr/bin/env bash
# From the operator's scale-up decision to a new pod serving warm, on the local cluster: the example at one pod under
# BASE_RATE, then about twice what one pod is planned to carry (RATE, default 2 x the example's
# targetRequestsPerSecond) reached in 2 s; each step is held for HOLD_SECONDS. bench/new-pod-probe.py watches the
# pods and sends each new one PROBE_RATE requests a second directly (its pod IP: no proxy), so that each pod's latency
# is its own. Per new pod:
#   decisionToReady   from the scale-up decision that made it (status.recentDecisions, whole seconds) to the first
#                     time it was seen Ready (polled every 0.5 s)
#   decisionToWarm    to the start of the first 2 s after it became ready in which its probes' p95 was under 100 ms
#                     and none failed (it then carries its share of the Service's load)
# ROUNDS runs; it prints each run's pods, then as its last line one JSON object with the medians over every new pod:
#   {"boost": ..., "cpuBoostPercent": ..., "startup": ..., "newPods": N, "decisionToReadyP50Seconds": x,
#    "decisionToWarmP50Seconds": y, ...}
#   bench/scale-up.sh [OUT_DIR]        (default: scale-up-out/)
# The pods run the sample-api image, which starts from its AOT cache ("startup": "aot"); bench/startup.sh compares the
# start-up variants one process at a time.
# Env: CPU_BOOST_PERCENT (100: spec.startup.cpuBoostPercent; 0 runs without the boost),
#      ROUNDS (3), BASE_RATE (100), RATE, HOLD_SECONDS (90), PROBE_RATE (20), MAX_REPLICAS (6),
#      POD_CPU_LIMIT (the example's; 140m: pods 30 % weaker).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
OUT="${1:-scale-up-out}"
CPU_BOOST_PERCENT="${CPU_BOOST_PERCENT:-100}"
STARTUP=aot
ROUNDS="${ROUNDS:-3}"
BASE_RATE="${BASE_RATE:-100}"
TARGET=$(awk '$1 == "targetRequestsPerSecond:" { print $2; exit }' examples/catalog.yaml)
RATE="${RATE:-$((2 * TARGET))}"
HOLD_SECONDS="${HOLD_SECONDS:-90}"
PROBE_RATE="${PROBE_RATE:-20}"
MAX_REPLICAS="${MAX_REPLICAS:-6}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export CPU_BOOST_PERCENT
# k6/capacity.js: the base load, then RATE reached in 2 s and held; nothing judged (the pods' own latency is).
export STEPS="$BASE_RATE,$RATE" STEP_SECONDS="$HOLD_SECONDS" RAMP_SECONDS=2 JUDGED_FROM=1000000000
. dev/local-run.sh
local_start

for round in $(seq 1 "$ROUNDS"); do
  run="$OUT/run-$round"
  mkdir -p "$run"
  local_apply 1 "$MAX_REPLICAS"
  python3 bench/new-pod-probe.py "$KUBECTL" scaledapi.io/name=catalog "$run" "$((2 * (HOLD_SECONDS + 2) + 10))" "$PROBE_RATE" &
  prober=$!
  local_load "$run" >/dev/null
  wait "$prober" || true
  $KUBECTL get sapi catalog -o jsonpath='{.status.recentDecisions}' >"$run/decisions.json"
  local_delete || { echo "scale-up: round $round's pods did not go away" >&2; exit 1; }
done

python3 - "$OUT" "$ROUNDS" "$CPU_BOOST_PERCENT" "$STARTUP" "$RATE" "${POD_CPU_LIMIT:-}" <<'PY'
import csv, datetime, json, statistics, sys
out, rounds, boost, startup, rate, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
WINDOW, BOUND = 2.0, 100.0
pods = []
for r in range(1, rounds + 1):
    run = f"{out}/run-{r}"
    raw = open(f"{run}/decisions.json").read().strip()
    ups = sorted(datetime.datetime.fromisoformat(d["time"].replace("Z", "+00:00")).timestamp()
                 for d in json.loads(raw or "[]") if d["to"] > d["from"] and d.get("applied", True))
    probes = {}
    for row in csv.DictReader(open(f"{run}/probes.csv")):
        probes.setdefault(row["name"], []).append((float(row["epoch"]), float(row["ms"]), row["ok"] == "1"))
    for row in csv.DictReader(open(f"{run}/pods.csv")):
        created, ready = float(row["created_epoch"]), float(row["ready_epoch"])
        made_by = [t for t in ups if t <= created + 1]  # both in whole seconds
        if not made_by:
            continue
        decision = made_by[-1]
        samples = sorted(probes.get(row["name"], []))
        warm = None
        for start, _, _ in samples:
            window = [s for s in samples if start <= s[0] < start + WINDOW]
            if len(window) < WINDOW * 5:
                continue
            latencies = sorted(s[1] for s in window)
            p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
            if p95 < BOUND and all(s[2] for s in window):
                warm = start
                break
        pod = {"round": r, "pod": row["name"], "decisionToReadySeconds": round(ready - decision, 1),
               "decisionToWarmSeconds": None if warm is None else round(warm - decision, 1)}
        pods.append(pod)
        print(f"scale-up: round {r} {row['name']}: decision -> ready {pod['decisionToReadySeconds']} s, "
              f"-> warm {pod['decisionToWarmSeconds']} s")
ready = [p["decisionToReadySeconds"] for p in pods]
warm = [p["decisionToWarmSeconds"] for p in pods if p["decisionToWarmSeconds"] is not None]
def q(values, f):
    return None if not values else round(sorted(values)[min(len(values) - 1, int(f * len(values)))], 1)
print(json.dumps({"boost": boost > 0, "cpuBoostPercent": boost, "startup": startup, "podCpuLimit": cpu or "example",
                  "rate": rate, "rounds": rounds, "newPods": len(pods), "neverWarm": len(pods) - len(warm),
                  "decisionToReadyP50Seconds": None if not ready else round(statistics.median(ready), 1),
                  "decisionToWarmP50Seconds": None if not warm else round(statistics.median(warm), 1),
                  "decisionToReadyP90Seconds": q(ready, 0.9), "decisionToWarmP90Seconds": q(warm, 0.9)}))
PY
