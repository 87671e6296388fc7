#!/usr/bin/env bash
# How far a CPU-throttled pod's own counters lag the requests sent to it: one sample-api pod under a CPU limit (a
# cgroup with a CFS quota, as a kubelet gives a container), its capacity measured first in the same run; then k6 sends
# an open-loop step, half that capacity for 6 s, OVERLOAD_FACTOR (1.5) times it for 10 s, half again for 10 s, while
# the management port is scraped every 100 ms. A counter's lag at a scrape is how long ago the requests it has counted
# were all sent. Prints each round as a JSON line, then the medians as its last line:
#   {"cpuLimit","rounds","overloadFactor","capacityRps","arrivalsLagMaxS","arrivalsLagAtStepEndS","servedLagMaxS",
#    "servedLagAtStepEndS","arrivalRpsInStep","servedRpsInStep","shed","dropped"}
# arrivals: http_server_arrivals_total (counted as a request is read); served: http_server_requests_seconds_count.
#   bench/arrival-lag.sh [CPU_LIMIT (200m)] [ROUNDS (3)]      OVERLOAD_FACTOR (1.5) in the environment
# Run it alone: k6 shares the machine's two cores with the pod. Needs root (a cgroup for the pod).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
K6=$(dev/k6-binary)
export K6
CLASS=sample-api/target/test-classes/io/scaledapi/sampleapi/overload/ArrivalLag.class
if [ ! -f sample-api/target/sample-api.jar ] || [ ! -f "$CLASS" ] \
   || [ -n "$(find sample-api/src sample-api/pom.xml -newer "$CLASS" -print -quit)" ]; then
  mvn -q -B -DskipTests -pl sample-api package test-compile >&2
fi
cd sample-api
exec java -cp target/test-classes io.scaledapi.sampleapi.overload.ArrivalLag "${1:-200m}" "${2:-3}"
