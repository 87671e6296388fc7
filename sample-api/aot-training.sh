#!/bin/sh
# sample-api's AOT cache (JDK 25, JEP 514/515), made by one training run: starts the extracted jar with
# -XX:AOTCacheOutput on loopback through its warm-up requests (the request path: routing, the cache, rendering, the
# HTTP codec), waits until it logs that it is ready, and stops it; the JVM writes the loaded and linked classes and
# their method profiles at exit. A pod started with -XX:AOTCache then needs less CPU to become ready, and fewer
# warm-up requests to serve fast (bench/startup.sh). Used by sample-api/Dockerfile at image build time and by
# dev/sample-api-aot for the node agent's pods.
#   aot-training.sh JAVA APP_DIR   (APP_DIR holds the extracted sample-api.jar; writes APP_DIR/sample-api.aot)
set -eu
JAVA=$1 DIR=$2
# Trained with both compilers, though pods run C1 only: its method profiles and linked classes then made pods ready
# on less CPU (bench/startup.sh, median of 3: 2.5 against 3.0 CPU-seconds for a cache trained C1 only).
SERVER_PORT=0 MANAGEMENT_SERVER_PORT=0 SERVER_ADDRESS=127.0.0.1 WARMUP_REQUESTS=1000 \
  "$JAVA" -XX:AOTCacheOutput="$DIR/sample-api.aot" -jar "$DIR/sample-api.jar" >"$DIR/training.log" 2>&1 &
pid=$!
tries=0
while [ $tries -lt 1200 ] && ! grep -q "ready for traffic" "$DIR/training.log" && kill -0 $pid 2>/dev/null; do
  sleep 0.25
  tries=$((tries + 1))
done
kill -TERM $pid 2>/dev/null || true
wait $pid || true
if [ ! -s "$DIR/sample-api.aot" ]; then
  echo "aot-training: no AOT cache written; the training run's log:" >&2
  tail -40 "$DIR/training.log" >&2
  exit 1
fi
