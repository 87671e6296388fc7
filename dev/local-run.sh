# Sourced by dev/demo and dev/e2e: the local cluster with the chart installed, the catalog example applied with
# given bounds, one k6 run through its Service with a per-second record, and the run's figures.
# Needs: set -euo pipefail, the repository root as the working directory, OUT (an absolute directory).
# Env: STEPS, STEP_SECONDS, RAMP_SECONDS (10), JUDGED_FROM (1000), SETTLE_SECONDS (0), ARRIVALS (even), MAX_REPLICAS (6),
#      TARGET_RPS (the example's), POD_CPU_LIMIT (the example's CPU request and limit: 140m runs pods 30 % weaker than
#      the 200m the example's target assumes), SHARED_CACHE (false; true adds cache.shared.managed and cache.warmKeys: 1000),
#      CPU_BOOST_PERCENT (the default's: spec.startup.cpuBoostPercent), RENDER_CPU_TIME (the example's),
#      UPDATE_MODE (Auto: spec.scaling.updateMode), UNREAD_REQUESTS_INTERVAL (off: sample-api's unread gauge),
#      K8S_VERSION (dev/versions).

LOCAL_STATE="$(mktemp -d)"
KEEPER_PID=""; RECORDER_PID=""; KUBECTL=""; FRONT_PID=""; FRONT_PORT=""
RECORDER_STOP="$LOCAL_STATE/recorder.stop"
CLUSTER_STATE="${SCALEDAPI_CLUSTER_DIR:-$HOME/.cache/scaledapi/cluster}"
# The access log the per-second latency is read from: the load's entry (nginx in front of the NodePort, as a load
# balancer in front of a cluster).
ACCESS_LOG="$LOCAL_STATE/front/logs/access.log"

local_cleanup() {
  touch "$RECORDER_STOP"
  [ -n "$RECORDER_PID" ] && kill "$RECORDER_PID" 2>/dev/null || true
  [ -n "$KEEPER_PID" ] && kill "$KEEPER_PID" 2>/dev/null && wait "$KEEPER_PID" 2>/dev/null || true
  [ -n "$KUBECTL" ] && $KUBECTL get events -A --sort-by=.lastTimestamp -o wide >"$OUT/logs/events.txt" 2>/dev/null || true
  [ -n "$FRONT_PID" ] && kill "$FRONT_PID" 2>/dev/null && wait "$FRONT_PID" 2>/dev/null || true
  local_keep_logs
  dev/cluster down || true
  rm -rf "$LOCAL_STATE"
}

# Every log of the run under OUT/logs, kept whether it passed or not: each pod's output (the operator's among them),
# the load's nginx, the control plane's and the node's.
local_keep_logs() {
  local_copy_pod_logs
  cp -r "$LOCAL_STATE/front/logs" "$OUT/logs/front" 2>/dev/null || true
  cp -r "$CLUSTER_STATE/logs" "$OUT/logs/control-plane" 2>/dev/null || true
}

# Each container's output as the kubelet keeps it. The kubelet deletes a pod's logs once the pod
# is gone (its container garbage collection, a minute or more after the container stopped), so local_start copies
# them every 5 s while the run lasts: the logs of pods scaled away are kept too.
local_copy_pod_logs() {
  mkdir -p "$OUT/logs/pods/kubelet"
  cp -ru /var/log/pods/. "$OUT/logs/pods/kubelet/" 2>/dev/null || true
}

# Brings up the control plane and the node (dev/cluster: kubelet, containerd, kube-proxy, CoreDNS), imports the images
# dev/images builds from the Dockerfiles, installs the chart; sets KUBECONFIG_FILE, KUBECTL, K6.
local_start() {
  mkdir -p "$OUT/logs"
  dev/install-prerequisites
  command -v nginx >/dev/null || { echo "local-run: nginx is needed (apt-get install -y nginx-light)" >&2; return 1; }
  HELM=$(dev/helm-binary)
  K6=$(dev/k6-binary)
  # Refused before the cleanup trap is set, so that a run that finds another's cluster leaves it alone.
  KUBECONFIG_FILE=$(dev/cluster new)
  trap local_cleanup EXIT
  trap 'exit 143' TERM INT   # so that a timeout or Ctrl-C still runs the cleanup
  . dev/versions
  KUBECTL="$HOME/.kubeapitest/k8s/${K8S_VERSION}-linux-amd64/kubectl --kubeconfig $KUBECONFIG_FILE"
  (while true; do local_copy_pod_logs; sleep 5; done) &
  KEEPER_PID=$!
  dev/images
  # Each container buildah runs (netavark) puts its own jump first in FORWARD, ahead of the node's: on a fresh machine,
  # where dev/images builds after the node is up, the node's rule goes back to the head before any pod starts.
  dev/node network-up
  dev/node check || { echo "local-run: the rule that keeps pods on this machine is not in place" >&2; return 1; }
  "$HELM" install scaledapi helm/scaledapi-operator --kubeconfig "$KUBECONFIG_FILE" --namespace scaledapi-system \
    --create-namespace --wait --timeout 3m --set sharedCache.image=localhost/scaledapi/redis:7 >/dev/null
  echo "local-run: operator running as a pod: $($KUBECTL -n scaledapi-system get pods --no-headers | awk '{print $1, $2, $3}')"
}

# local_apply MIN MAX [SCALE_DOWN_SECONDS]: examples/catalog.yaml with these bounds (and a shorter scale-down window
# and period, so that a test can watch the way back to min); waits until a pod is ready and the Service has a local
# port; sets PORT.
local_apply() {
  local min="$1" max="$2" down="${3:-}" extra='s/^//'
  [ -n "$down" ] && extra="/targetRequestsPerSecond:/a\\    scaleDown: {stabilizationWindow: ${down}s, period: ${down}s}"
  local target=()
  [ -n "${TARGET_RPS:-}" ] && target=(-e "s/targetRequestsPerSecond: .*/targetRequestsPerSecond: $TARGET_RPS/")
  [ -n "${POD_CPU_LIMIT:-}" ] && target+=(-e "s/^      cpu: .*/      cpu: $POD_CPU_LIMIT/")
  [ -n "${RENDER_CPU_TIME:-}" ] && target+=(-e "/name: RENDER_CPU_TIME/{n;s/value: .*/value: $RENDER_CPU_TIME/;}")
  [ -n "${CPU_BOOST_PERCENT:-}" ] && target+=(-e "/^  replicas:/i\\  startup: {cpuBoostPercent: $CPU_BOOST_PERCENT}")
  # Recommend: the operator makes the Deployment and reports, and something else (bench/versus.sh's HPA) scales it.
  [ -n "${UPDATE_MODE:-}" ] && target+=(-e "/targetRequestsPerSecond:/a\\    updateMode: $UPDATE_MODE")
  # sample-api's gauge of requests waiting unread on its connections, off by default (docs/reference.md).
  [ -n "${UNREAD_REQUESTS_INTERVAL:-}" ] && target+=(-e "/^  env:/a\\    - {name: UNREAD_REQUESTS_INTERVAL, value: \"$UNREAD_REQUESTS_INTERVAL\"}")
  local shared='s/^//'
  # A Redis the operator runs, and new pods that load the 1,000 hottest keys from it (k6's hot set) before ready.
  [ "${SHARED_CACHE:-false}" = true ] && shared="/^    maxEntries:/a\\    shared: {managed: {maxMemory: 256Mi}}\n    warmKeys: 1000"
  sed -e "s/^    min: .*/    min: $min/" -e "s/^    max: .*/    max: $max/" "${target[@]}" -e "$extra" -e "$shared" examples/catalog.yaml \
    | $KUBECTL apply -f - >/dev/null
  local ready=""
  for _ in $(seq 1 180); do
    ready=$($KUBECTL get sapi catalog -o jsonpath='{.status.readyReplicas}' 2>/dev/null || true)
    [ -n "$ready" ] && [ "$ready" -ge "$min" ] && break
    sleep 1
  done
  [ -n "$ready" ] && [ "$ready" -ge "$min" ] || { echo "local-run: catalog has $ready of $min ready pods after 180 s" >&2; return 1; }
  PORT=""
  local_front
}

# A NodePort Service of the run's own beside the operator's catalog Service (same pods), and nginx
# on 127.0.0.1 in front of it, as a load balancer in front of a cluster, whose access log gives each request's time.
# kube-proxy picks a pod per connection; the pods close a connection after 100 requests, so nginx's kept-alive
# connections spread over new replicas within seconds. Sets PORT (nginx's) once a request through it succeeds.
local_front() {
  $KUBECTL apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: catalog-load, namespace: default}
spec:
  type: NodePort
  selector: {scaledapi.io/name: catalog}
  ports: [{name: http, port: 80, targetPort: http}]
YAML
  local node_port
  node_port=$($KUBECTL get service catalog-load -o jsonpath='{.spec.ports[0].nodePort}')
  if [ -z "$FRONT_PID" ]; then
    mkdir -p "$LOCAL_STATE/front/logs" "$LOCAL_STATE/front/tmp"
    FRONT_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$LOCAL_STATE/front/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $LOCAL_STATE/front/nginx.pid;
error_log $LOCAL_STATE/front/logs/error.log warn;
events { worker_connections 4096; }
http {
  log_format timing '\$msec \$request_time \$status \$server_port';
  access_log $ACCESS_LOG timing buffer=64k flush=1s;
  client_body_temp_path $LOCAL_STATE/front/tmp; proxy_temp_path $LOCAL_STATE/front/tmp;
  fastcgi_temp_path $LOCAL_STATE/front/tmp; uwsgi_temp_path $LOCAL_STATE/front/tmp; scgi_temp_path $LOCAL_STATE/front/tmp;
  upstream catalog { server 127.0.0.1:$node_port max_fails=0; keepalive 64; }
  server {
    listen 127.0.0.1:$FRONT_PORT;
    location / {
      proxy_pass http://catalog;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
    }
  }
}
NGINX
    # Its own output file, not the caller's: a caller reading local_apply's output through a pipe would wait for
    # nginx to close it.
    nginx -c "$LOCAL_STATE/front/nginx.conf" -e "$LOCAL_STATE/front/logs/error.log" >>"$LOCAL_STATE/front/logs/nginx.out" 2>&1 &
    FRONT_PID=$!
  else
    # The Service was made again (a new ScaledApi run): point nginx at its NodePort.
    sed -i "s/server 127.0.0.1:[0-9]* max_fails/server 127.0.0.1:$node_port max_fails/" "$LOCAL_STATE/front/nginx.conf"
    kill -HUP "$FRONT_PID"
  fi
  PORT="$FRONT_PORT"
  for _ in $(seq 1 60); do
    curl -fs --max-time 2 "http://127.0.0.1:$PORT/api/items/1" >/dev/null && return 0
    sleep 1
  done
  echo "local-run: no answer through the catalog's NodePort $node_port (nginx on $PORT)" >&2
  return 1
}

# local_cluster_json FILE: the nodes' kubelet and runtime versions, and each image the pods run now with its ID and
# what it was built from, merged into FILE (so that calls after each run add the images that run had).
local_cluster_json() {
  $KUBECTL get nodes,pods -A -o json | python3 -c '
import json, os, sys
path = sys.argv[1]
known = json.load(open(path)) if os.path.exists(path) else {"nodes": [], "images": []}
items = json.load(sys.stdin)["items"]
built = {"scaledapi/operator": "operator/Dockerfile", "scaledapi/sample-api": "sample-api/Dockerfile",
         "localhost/scaledapi/redis": "dev/images (Debian bookworm redis-server)"}
nodes = [{"name": i["metadata"]["name"], "kubeletVersion": i["status"]["nodeInfo"]["kubeletVersion"],
          "containerRuntimeVersion": i["status"]["nodeInfo"]["containerRuntimeVersion"]}
         for i in items if i["kind"] == "Node"]
images = {(m["image"], m["imageID"]): m for m in known["images"]}
for pod in (i for i in items if i["kind"] == "Pod"):
    for c in pod.get("status", {}).get("containerStatuses", []):
        if not c.get("imageID"):
            continue
        name = c["image"].split(":")[0].removeprefix("docker.io/")
        images[(c["image"], c["imageID"])] = {"image": c["image"], "imageID": c["imageID"],
                                             "builtFrom": built.get(name, "pulled")}
json.dump({"nodes": nodes or known["nodes"], "images": sorted(images.values(), key=lambda m: m["image"])},
          open(path, "w"), indent=2)
' "$1"
}

# local_delete: deletes the ScaledApi (and the run's NodePort Service); true once its Deployments and pods (the API's and a managed Redis's) are gone
# (within 120 s).
local_delete() {
  $KUBECTL delete sapi catalog --wait=false >/dev/null
  $KUBECTL delete service catalog-load --ignore-not-found --wait=false >/dev/null
  for _ in $(seq 1 120); do
    [ -z "$($KUBECTL get pods -l scaledapi.io/name=catalog --no-headers 2>/dev/null)" ] \
      && [ -z "$($KUBECTL get pods -l scaledapi.io/shared-cache-of=catalog --no-headers 2>/dev/null)" ] \
      && [ -z "$($KUBECTL get deployment catalog --no-headers 2>/dev/null)" ] && return 0
    sleep 1
  done
  return 1
}

# The origin calls the catalog pods have made, summed over the pods there are now (each counts from its start).
pods_origin_calls() {
  local ip total=0 calls
  for ip in $($KUBECTL get pods -l scaledapi.io/name=catalog -o jsonpath='{.items[*].status.podIP}' 2>/dev/null); do
    calls=$(curl -fs --max-time 2 "http://$ip:8081/actuator/prometheus" 2>/dev/null \
      | awk '/^origin_requests_seconds_count\{cache="catalog"/ { n += $2 } END { printf "%d", n }')
    total=$((total + ${calls:-0}))
  done
  echo "$total"
}

# The catalog pods' CPU in cores and working-set bytes from the kubelet's resource metrics. The kubelet's per-pod series stayed at 0 here (cgroup v1, containerd 1.6), so the
# containers' are read. Each container's counter carries its own timestamp, refreshed about every 10 s and not at
# the same moment as the others': its rate is its increase over its own last interval, and the pods' CPU is the sum
# of those rates. (Summing the counters put a new pod's whole start-up, or another container's 10 s, into one second:
# up to 4.2 cores on a 2-core machine in a demo's plot.) A new container counts from its second reading.
pods_usage() {
  . dev/node-network
  local seen="$LOCAL_STATE/cpu-series"
  touch "$seen"
  curl -fsk --max-time 2 --cert "$CLUSTER_STATE/pki/admin.crt" --key "$CLUSTER_STATE/pki/admin.key" \
    "https://$NODE_IP:10250/metrics/resource" 2>/dev/null | awk -v seen="$seen" -v cpu_series="container_cpu_usage_seconds_total{" \
    -v memory_series="container_memory_working_set_bytes{" '
    BEGIN { while ((getline line < seen) > 0) { split(line, f, " "); value[f[1]] = f[2]; taken[f[1]] = f[3]; rate[f[1]] = f[4] } }
    index($0, "namespace=\"default\"") == 0 || index($0, "pod=\"catalog-") == 0 { next }
    index($0, cpu_series) == 1 && NF >= 3 {
      k = $1; t = $3 / 1000; r = 0
      if (k in value) r = t > taken[k] ? ($2 >= value[k] ? ($2 - value[k]) / (t - taken[k]) : 0) : rate[k]
      v[k] = $2; ts[k] = t; now[k] = r; cores += r
      found = 1
    }
    index($0, memory_series) == 1 { memory += $2 }
    END {
      if (!found) { print " "; exit }
      printf "" >seen
      for (k in now) printf "%s %.9f %.3f %.9f\n", k, v[k], ts[k], now[k] >>seen
      printf "%.3f %d\n", cores, memory
    }'
}

# local_record RUN_DIR: one row a second into RUN_DIR/samples.csv until RECORDER_STOP exists (or a TERM); each change of the ScaledApi's status,
# whole, into RUN_DIR/status.log. The status comes from one watch (kubectl's start cost about 80 ms of CPU, and once a
# second that was a twentieth of this machine, taken from the pods being measured); the rest from files and one
# request to the kubelet. Each row adds the machine's stolen CPU (a VM's host running something else: 11-14 % in runs
# whose p95 doubled) and the catalog containers' CFS periods, all and throttled, in that second.
local_record() {
  local run="$1" line partial="" fields=',,,,' second last_second=0 cpu memory node steal
  local dir periods throttled key value me="$BASHPID" watcher
  declare -A is_catalog=() seen_periods=() seen_throttled=()
  exec 3< <(while kill -0 "$me" 2>/dev/null; do
    $KUBECTL get sapi catalog --watch -o jsonpath='{.status.requestRate.stable},{.status.requestRate.burst},{.status.readyReplicas},{.status.desiredReplicas},{.status.mode}{" "}{.status}{"\n"}' 2>/dev/null
    sleep 1
  done)
  watcher=$!
  # The watch goes with the recorder: its loop, and the kubectl it waits on. The recorder stops when RECORDER_STOP
  # appears (a TERM sent to it was once left pending while it kept sampling), or on TERM.
  trap 'kill "$watcher" $(pgrep -P "$watcher") 2>/dev/null; exit 0' TERM
  while [ ! -e "$RECORDER_STOP" ]; do
    if IFS= read -r -t 0.2 line <&3; then
      line="$partial$line"; partial=""
      fields="${line%% *}"
      echo "$EPOCHREALTIME ${line#* }" >>"$run/status.log"
    elif [ -n "$line" ]; then
      partial+="$line"   # a line cut by the time-out: its rest comes with the next read
    fi
    second="${EPOCHREALTIME%.*}"
    [ "$second" -gt "$last_second" ] || continue
    last_second="$second"
    read -r cpu memory <<<"$(pods_usage)"
    read -r node steal < <(awk '$1 == "cpu" { printf "%.2f %.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / 100, $9 / 100; exit }' /proc/stat)
    periods=0; throttled=0
    for dir in /sys/fs/cgroup/cpu/kubepods/*/pod*/*/ /sys/fs/cgroup/cpu/kubepods/pod*/*/; do
      [ -f "$dir/cpu.stat" ] || continue
      if [ -z "${is_catalog[$dir]:-}" ]; then
        # A container's process names its pod in HOSTNAME; the pause container's has none. A container with no
        # process yet is looked at again next second.
        read -r key 2>/dev/null <"$dir/cgroup.procs" || continue
        is_catalog[$dir]=0
        tr '\0' '\n' 2>/dev/null <"/proc/$key/environ" | grep -q '^HOSTNAME=catalog-' && is_catalog[$dir]=1
      fi
      [ "${is_catalog[$dir]}" = 1 ] || continue
      while read -r key value; do
        case "$key" in
          nr_periods) [ -n "${seen_periods[$dir]:-}" ] && periods=$((periods + value - seen_periods[$dir])); seen_periods[$dir]=$value ;;
          nr_throttled) [ -n "${seen_throttled[$dir]:-}" ] && throttled=$((throttled + value - seen_throttled[$dir])); seen_throttled[$dir]=$value ;;
        esac
      done <"$dir/cpu.stat"
    done
    echo "$EPOCHREALTIME,$fields,${cpu:-},${memory:-},$node,$steal,$periods,$throttled" >>"$run/samples.csv"
  done
  kill "$watcher" $(pgrep -P "$watcher") 2>/dev/null || true
}

# local_load RUN_DIR: k6/capacity.js through the Service while a recorder writes, about once a second, the
# ScaledApi's status and the pods' use: RUN_DIR/samples.csv. Then RUN_DIR/timeline.csv adds p95 latency per second
# from the load's entry (nginx). Sets K6_EXIT (0: every judged step held).
local_load() {
  local run="$1"
  mkdir -p "$run"
  local start
  start=$(date +%s.%N)
  echo "epoch,rps_stable,rps_burst,ready,desired,mode,cpu_cores,memory_bytes,node_cpu_seconds,steal_seconds,cfs_periods,cfs_throttled" >"$run/samples.csv"
  rm -f "$RECORDER_STOP"
  local_record "$run" &
  RECORDER_PID=$!
  # k6 stands in for clients on other machines. Sharing two cores with pods that start, it was starved for up to
  # half a second: its own connect and send times grew, and it dropped iterations the Service never saw. A higher
  # CPU priority keeps the measurement the server's (needs root; without it k6 runs at the default priority).
  local priority=()
  nice -n -5 true 2>/dev/null && priority=(nice -n -5)
  set +e
  BASE_URL="http://127.0.0.1:$PORT" STEPS="$STEPS" STEP_SECONDS="$STEP_SECONDS" RAMP_SECONDS="${RAMP_SECONDS:-10}" \
    JUDGED_FROM="${JUDGED_FROM:-1000}" SETTLE_SECONDS="${SETTLE_SECONDS:-0}" ARRIVALS="${ARRIVALS:-even}" SUMMARY="$run/k6-summary.json" STEPS_CSV="$run/steps.csv" \
    "${priority[@]}" "$K6" run -q k6/capacity.js 2>"$run/k6.log" | tee "$run/k6.txt"
  K6_EXIT=${PIPESTATUS[0]}
  set -e
  sleep 3
  touch "$RECORDER_STOP"
  wait "$RECORDER_PID" 2>/dev/null || true
  RECORDER_PID=""
  local_timeline "$run" "$start"
}

# RUN_DIR/timeline.csv: one row a second from the start of the load: the samples (memory in MiB; the pods' CPU in
# cores, each container's over its last interval between the kubelet's refreshes, about 10 s; the machine's CPU and
# what its host stole, in cores; the share of the catalog containers' CFS periods that ran out of quota) and the p95
# of the requests that arrived in that second, from nginx's log.
local_timeline() {
  local run="$1" start="$2" log="$ACCESS_LOG"
  sleep 1.5 # nginx flushes its log every second
  echo "second,p95_ms,requests" >"$run/latency.csv"
  awk -v start="$start" -v port="$PORT" '$4 == port && $1 >= start {
      s = int($1 - start); ms = int($2 * 1000 + 0.5); if (ms > 10000) ms = 10000
      n[s]++; h[s, ms]++; if (s > last) last = s
    }
    END {
      for (s = 0; s <= last; s++) {
        if (!n[s]) continue
        need = n[s] * 0.95; seen = 0
        for (ms = 0; ms <= 10000; ms++) { seen += h[s, ms]; if (seen >= need) break }
        print s "," ms "," n[s]
      }
    }' "$log" 2>/dev/null >>"$run/latency.csv" || true
  awk -F, -v start="$start" '
    FNR == 1 { next }
    FILENAME ~ /latency.csv$/ { p95[$1] = $2; requests[$1] = $3; next }
    {
      s = int($1 - start)
      # Pod CPU: the sum of the rates of the containers, as last read (pods_usage).
      cores[s] = $7 == "" ? "" : sprintf("%.3f", $7)
      node = prev_t != "" ? ($9 - prev_node) / ($1 - prev_t) : ""
      steal = prev_t != "" ? ($10 - prev_steal) / ($1 - prev_t) : ""
      prev_t = $1; prev_node = $9; prev_steal = $10
      head[s] = $2 "," $3 "," $4 "," $5 "," $6
      tail[s] = ($8 == "" ? "" : sprintf("%.0f", $8 / 1048576)) "," (node == "" ? "" : sprintf("%.2f", node)) \
        "," (steal == "" ? "" : sprintf("%.2f", steal)) "," ($11 > 0 ? sprintf("%.3f", $12 / $11) : "")
      if (s > last) last = s
    }
    END {
      print "second,rps_stable,rps_burst,ready,desired,mode,cpu_cores,memory_mib,node_cpu_cores,steal_cores,throttled_share,p95_ms,requests"
      for (s = 0; s <= last; s++) {
        if (!(s in head)) continue
        print s "," head[s] "," cores[s] "," tail[s] "," p95[s] "," requests[s]
      }
    }' "$run/latency.csv" "$run/samples.csv" >"$run/timeline.csv"
}

# local_run_json RUN_DIR K6_EXIT: the run's figures as one JSON object; local_table RUN_DIR: the same steps as a
# table. Both come from dev/run-figures, which computes each step's figures once.
local_run_json() {
  dev/run-figures "$1" "$2"
}
local_table() {
  dev/run-figures --table "$1"
}

# local_plot RUN_DIR TITLE: replicas, request rate, p95 and the pods' CPU over time (PNG, gnuplot).
local_plot() {
  local run="$1" title="$2"
  command -v gnuplot >/dev/null || { echo "local-run: gnuplot not found (apt-get install -y gnuplot-nox): no plot" >&2; return 0; }
  gnuplot <<PLOT
set terminal pngcairo size 1100,800
set output "$run/replicas-vs-load.png"
set datafile separator ","
set multiplot layout 2,1 title "$title"
set key top left
set xlabel "seconds"
set ylabel "req/s"
set y2label "replicas"
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics 1
plot "$run/timeline.csv" every ::1 using 1:3 with lines lw 1 title "request rate, 6 s window", \
     "" every ::1 using 1:2 with lines lw 2 title "request rate, 60 s window", \
     "" every ::1 using 1:4 axes x1y2 with steps lw 2 title "ready replicas", \
     "" every ::1 using 1:5 axes x1y2 with steps dt 2 title "desired replicas"
set ylabel "p95 latency, ms (log)"
set logscale y
set yrange [1:*]
set y2label "CPU, cores"
set y2tics auto
plot "$run/timeline.csv" every ::1 using 1:12 with lines lw 1 title "p95 latency at the Service (per second)", \
     "" every ::1 using 1:7 axes x1y2 with lines lw 2 title "pods' CPU (cores)", \
     "" every ::1 using 1:9 axes x1y2 with lines dt 2 title "whole machine's CPU (cores)"
unset multiplot
PLOT
  echo "local-run: plot in $run/replicas-vs-load.png"
}
