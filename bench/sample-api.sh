#!/usr/bin/env bash
# Throughput of sample-api's cached GET /api/items/{id} against nginx serving the same bytes from a file,
# both on 127.0.0.1, measured with wrk at 10 and 100 connections, 10 s each, three rounds (interleaved so that
# drift on the machine hits both alike). Prints req/s, p50 and p99 for each run, the medians, the ratio
# sample-api/nginx, and sample-api's RSS. Stops everything it started.
#   bench/sample-api.sh            # needs wrk and nginx (Debian packages: wrk, nginx-light)
# Env: DURATION (10s), ROUNDS (3), THREADS (wrk threads, 2), JAVA_OPTS (extra JVM flags for sample-api).
set -euo pipefail

cd "$(dirname "$0")/.."
. dev/java-env
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-2}"
API_PORT="${API_PORT:-18080}"
MANAGEMENT_PORT="${MANAGEMENT_PORT:-18081}"
NGINX_PORT="${NGINX_PORT:-18081}"
JAR=sample-api/target/sample-api.jar

for tool in wrk nginx curl java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y wrk nginx-light curl)" >&2; exit 1; }
done

# Build only when the jar is missing or older than the sources.
if [ ! -f "$JAR" ] || [ -n "$(find sample-api/src sample-api/pom.xml pom.xml -newer "$JAR" -print -quit)" ]; then
  mvn -q -B -DskipTests -pl sample-api -am package
fi

WORK=$(mktemp -d)
API_PID=""; NGINX_PID=""
cleanup() {
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck disable=SC2086
SERVER_ADDRESS=127.0.0.1 SERVER_PORT=$API_PORT MANAGEMENT_SERVER_PORT=$MANAGEMENT_PORT java ${JAVA_OPTS:-} -jar "$JAR" >"$WORK/sample-api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness" >/dev/null && break
  kill -0 "$API_PID" 2>/dev/null || { cat "$WORK/sample-api.log"; exit 1; }
  sleep 0.5
done
ITEM_URL="http://127.0.0.1:$API_PORT/api/items/42"
curl -sf "$ITEM_URL" -o "$WORK/item.json"

mkdir -p "$WORK/html/api/items"
cp "$WORK/item.json" "$WORK/html/api/items/42"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/json;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/html;
  }
}
NGINX
mkdir -p "$WORK/tmp"
chmod -R a+rX "$WORK"  # nginx workers drop root and must read the file
nginx -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/api/items/42" -o /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$NGINX_PORT/api/items/42" -o "$WORK/served.json" || true
cmp -s "$WORK/served.json" "$WORK/item.json" || { echo "bench: nginx does not serve the same bytes"; cat "$WORK/nginx-error.log"; exit 1; }

# JIT warm-up, not measured.
wrk -t"$THREADS" -c100 -d10s "$ITEM_URL" >/dev/null

run() { # name url connections -> "req/s p50 p99" (latencies in ms)
  wrk -t"$THREADS" -c"$3" -d"$DURATION" --latency "$2" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }'
}

printf "%-6s %-6s %-11s %10s %9s %9s\n" round conns server req/s p50_ms p99_ms
declare -A RESULTS
for round in $(seq 1 "$ROUNDS"); do
  for conns in 10 100; do
    for server in sample-api nginx; do
      url=$ITEM_URL; [ "$server" = nginx ] && url="http://127.0.0.1:$NGINX_PORT/api/items/42"
      read -r rps p50 p99 < <(run "$server" "$url" "$conns")
      RESULTS[$server,$conns]+="$rps "
      RESULTS[$server,$conns,p50]+="$p50 "
      RESULTS[$server,$conns,p99]+="$p99 "
      printf "%-6s %-6s %-11s %10s %9s %9s\n" "$round" "$conns" "$server" "$rps" "$p50" "$p99"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "medians over $ROUNDS rounds:"
printf "%-6s %-11s %10s %9s %9s\n" conns server req/s p50_ms p99_ms
for conns in 10 100; do
  for server in sample-api nginx; do
    printf "%-6s %-11s %10s %9s %9s\n" "$conns" "$server" "$(echo "${RESULTS[$server,$conns]}" | median)" \
      "$(echo "${RESULTS[$server,$conns,p50]}" | median)" "$(echo "${RESULTS[$server,$conns,p99]}" | median)"
  done
  api=$(echo "${RESULTS[sample-api,$conns]}" | median); ngx=$(echo "${RESULTS[nginx,$conns]}" | median)
  echo "ratio sample-api/nginx at $conns connections: $(awk -v a="$api" -v n="$ngx" 'BEGIN { printf "%.2f", a/n }')"
done
echo "sample-api RSS: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$API_PID/status")"
echo "sample-api X-Cache on the measured URL: $(curl -sI "$ITEM_URL" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')"
