#!/usr/bin/env bash
# ScaledApi against the real HorizontalPodAutoscaler on the local cluster's real node: the same k6 trace, the same
# pods (examples/catalog.yaml: its image, CPU limit, warm-up and start-up boost) and the same bounds (1 to
# MAX_REPLICAS), scaled in turn by each policy, ROUNDS times, the policies' order alternating from round to round.
#   scaledapi   the ScaledApi as the example has it (updateMode Auto)
#   scaledapi-sent  the same, its pods exporting the requests waiting unread on their connections
#               (UNREAD_REQUESTS_INTERVAL=1s; off by default in sample-api): the operator then sees what was sent to a
#               saturated pod, not only what it served. Not in the default POLICIES: the others' pods do not pay for it
#   hpa-cpu     the ScaledApi in updateMode Recommend (it makes the Deployment and leaves its replicas alone) and an
#               autoscaling/v2 HPA on the Deployment at 70 % CPU utilization, with the HPA's defaults otherwise (15 s
#               sync, 10 % tolerance, scale-up by at most 100 % or 4 pods a 15 s, 300 s before scaling down), reading
#               metrics.k8s.io from metrics-server (dev/metrics-server, built from its Go module)
#   hpa-rps     the same, with an HPA on the pods' requests per second at the ScaledApi's targetRequestsPerSecond
#               (430) a pod, from Prometheus (Debian's, scraping the pods every 15 s) through prometheus-adapter (built
#               from its Go module) with the shape of its default rules: sum(rate(...[1m])) (dev/custom-metrics)
# Per run it prints the figures below; its last line is one JSON object of each policy's medians:
#   {"trace": T, "rounds": N, "policies": {"scaledapi": {...}, "hpa-cpu": {...}}}
#   - replicaSeconds: the Deployment's spec.replicas summed over the trace's seconds (what the pods cost)
#   - badSeconds: seconds whose requests, at the nginx in front of the Service, had p95 over 100 ms or over 0.1 % failed
#   - score: replicaSeconds + 30 x badSeconds, the issue's measure
#   - p95Ms: k6's p95 per step ("200", "1000", and "200 after" for the flash)
#   - firstScaleUpSeconds: from the start of the ramp to the top step to the first second the Deployment asked for more
#   - lastReadySeconds: from the same moment to the last second the ready pods grew during the top step
#   bench/versus.sh [step|flash] [OUT_DIR]        (default: step, bench-out/versus-TRACE)
# Traces (k6/capacity.js, 2 s ramps, nothing judged by k6): step: 200 req/s for 90 s, then 1,000 for 90 s;
# flash: 200 for 60 s, 1,000 for 60 s, 200 for 60 s. One pod carries 200 req/s at half its limit.
# Env: ROUNDS (3), POLICIES ("scaledapi hpa-cpu hpa-rps"), RPS_RATE_WINDOW (1m, dev/custom-metrics), MAX_REPLICAS (6), and dev/local-run.sh's (POD_CPU_LIMIT, ...).
# Alone on the machine: it starts and stops the local cluster, and needs both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
TRACE="${1:-step}"
OUT="${2:-bench-out/versus-$TRACE}"
ROUNDS="${ROUNDS:-3}"
POLICIES="${POLICIES:-scaledapi hpa-cpu hpa-rps}"
MAX_REPLICAS="${MAX_REPLICAS:-6}"
case "$TRACE" in
  step) STEPS=200,1000; STEP_SECONDS=90 ;;
  flash) STEPS=200,1000,200; STEP_SECONDS=60 ;;
  *) echo "versus: the trace is step or flash, not '$TRACE'" >&2; exit 2 ;;
esac
export STEPS STEP_SECONDS RAMP_SECONDS=2 JUDGED_FROM=1000000000
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
. dev/local-run.sh

# The Deployment's asked-for and ready replicas, about once a second, until killed: RUN_DIR/replicas.csv.
record_replicas() {
  echo "epoch,replicas,ready" >"$1/replicas.csv"
  while true; do
    echo "$(date +%s.%N),$($KUBECTL get deployment catalog -o jsonpath='{.spec.replicas},{.status.readyReplicas}' 2>/dev/null)" \
      >>"$1/replicas.csv"
    sleep 1
  done
}

# hpa POLICY METRIC READING: the ScaledApi in Recommend mode, an HPA on its Deployment with the metric METRIC (YAML),
# and a wait until the HPA's status shows its first reading (the jsonpath READING), so that the run measures it at work.
hpa() {
  UPDATE_MODE=Recommend local_apply 1 "$MAX_REPLICAS"
  $KUBECTL apply -f - >/dev/null <<YAML
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: catalog, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: catalog}
  minReplicas: 1
  maxReplicas: $MAX_REPLICAS
  metrics:
  - $2
YAML
  for _ in $(seq 1 120); do
    [ -n "$($KUBECTL get hpa catalog -o jsonpath="$3" 2>/dev/null)" ] && return 0
    sleep 1
  done
  echo "versus: $1's HPA read nothing within 120 s:" >&2
  $KUBECTL describe hpa catalog >&2 || true
  return 1
}

apply_policy() {
  local target
  case "$1" in
    scaledapi) local_apply 1 "$MAX_REPLICAS" ;;
    scaledapi-sent) UNREAD_REQUESTS_INTERVAL=1s local_apply 1 "$MAX_REPLICAS" ;;
    hpa-cpu) hpa "$1" "{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}" \
      '{.status.currentMetrics[0].resource.current.averageUtilization}' ;;
    hpa-rps)
      target=$(awk '$1 == "targetRequestsPerSecond:" { print $2; exit }' examples/catalog.yaml)
      hpa "$1" "{type: Pods, pods: {metric: {name: http_server_requests_per_second}, target: {type: AverageValue, averageValue: \"${TARGET_RPS:-$target}\"}}}" \
        '{.status.currentMetrics[0].pods.current.averageValue}' ;;
    *) echo "versus: unknown policy '$1'" >&2; return 2 ;;
  esac
}

# Built (once) before the cluster starts.
dev/metrics-server binary >/dev/null
case " $POLICIES " in *" hpa-rps "*) dev/custom-metrics binaries >/dev/null ;; esac
local_start
trap 'dev/custom-metrics down || true; dev/metrics-server down || true; local_cleanup' EXIT
dev/metrics-server up
case " $POLICIES " in *" hpa-rps "*) dev/custom-metrics up ;; esac

read -r -a policies <<<"$POLICIES"
for round in $(seq 1 "$ROUNDS"); do
  order=("${policies[@]}")
  if [ $((round % 2)) = 0 ]; then  # alternate which policy runs first
    order=(); for ((i = ${#policies[@]} - 1; i >= 0; i--)); do order+=("${policies[i]}"); done
  fi
  for policy in "${order[@]}"; do
    run="$OUT/$policy-$round"
    rm -rf "$run"; mkdir -p "$run"
    echo "versus: round $round, $policy"
    apply_policy "$policy"
    record_replicas "$run" &
    replicas_pid=$!
    date +%s.%N >"$run/start"
    local_load "$run"
    kill "$replicas_pid" 2>/dev/null || true
    wait "$replicas_pid" 2>/dev/null || true
    # nginx's lines for this run (its log holds every run's): the figures' per-second requests and failures.
    awk -v port="$PORT" -v start="$(cat "$run/start")" '$4 == port && $1 >= start' "$ACCESS_LOG" >"$run/access.log"
    $KUBECTL get hpa catalog -o yaml >"$run/hpa.yaml" 2>/dev/null || true
    $KUBECTL delete hpa catalog --ignore-not-found >/dev/null
    local_delete || { echo "versus: the run's pods did not go away" >&2; exit 1; }
    bench/versus-figures run "$run" "$TRACE" | tee "$run/figures.json"
  done
done
bench/versus-figures medians "$OUT" "$TRACE" "$ROUNDS" $POLICIES
