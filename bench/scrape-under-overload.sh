#!/usr/bin/env bash
# sample-api's metrics endpoint while the pod is drowning: one pod under a CPU limit (a cgroup with a CFS quota, as a
# kubelet gives a container), its capacity measured first in the same run (a closed loop), then its API port held at a backlog of three
# seconds of that capacity while its management port (metrics and probes) is scraped every 250 ms, as the operator
# scrapes it. Prints each round as a JSON line, then, as its last line, the medians over the rounds:
#   {"cpuLimit","rounds","capacityRps","backlogSeconds","scrapeP50Ms","scrapeP90Ms","scrapeP99Ms","scrapeMaxMs","scrapesFailed"}
# A scrape that fails or takes over 5 s counts as 5,000 ms. The operator's scrape timeout is 1 s; the goal is a p99
# under 250 ms. ScrapeUnderOverloadIT (sample-api, mvn verify) asserts the bound with one round.
#   bench/scrape-under-overload.sh [CPU_LIMIT (200m)] [ROUNDS (5)]      OVERLOAD_SECONDS (12) in the environment
# Run it alone: the load generator shares the machine's two cores with the pod. Needs root (a cgroup for the pod).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
if [ ! -f sample-api/target/sample-api.jar ] \
   || [ ! -f sample-api/target/test-classes/io/scaledapi/sampleapi/overload/OverloadedPod.class ]; then
  mvn -q -B -DskipTests -pl sample-api package test-compile >&2
fi
cd sample-api
exec java -cp target/test-classes io.scaledapi.sampleapi.overload.OverloadedPod "${1:-200m}" "${2:-5}"
