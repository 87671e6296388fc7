#!/usr/bin/env bash
# sample-api's metrics endpoint while the pod is drowning: one pod under a CPU limit (a cgroup, as the local node gives
# its pods), its capacity measured first in the same run (a closed loop), then its API port held at a backlog of three
# seconds of that capacity while its management port (metrics and probes) is scraped every 250 ms, as the operator
# scrapes it. Prints each round as a JSON line, then, as its last line, the medians over the rounds:
#   {"cpuLimit","rounds","capacityRps","backlogSeconds","scrapeP50Ms","scrapeP90Ms","scrapeP99Ms","scrapeMaxMs","scrapesFailed"}
# A scrape that fails or takes over 5 s counts as 5,000 ms. The operator's scrape timeout is 1 s; the goal is a p99
# under 250 ms. ScrapeUnderOverloadTest (node-agent) asserts the bound with one round.
#   bench/scrape-under-overload.sh [CPU_LIMIT (200m)] [ROUNDS (5)]      OVERLOAD_SECONDS (12) in the environment
# Run it alone: the load generator shares the machine's two cores with the pod. Needs root (a cgroup per pod).
set -euo pipefail
cd "$(dirname "$0")/.."
. dev/java-env
if [ ! -f sample-api/target/sample-api.jar ] || [ ! -f node-agent/target/node-agent.jar ] \
   || [ ! -f node-agent/target/test-classes/io/scaledapi/nodeagent/OverloadedPod.class ]; then
  mvn -q -B -DskipTests install >&2 # compiles the tests too, OverloadedPod among them
fi
exec java -cp "node-agent/target/test-classes:node-agent/target/node-agent.jar" io.scaledapi.nodeagent.OverloadedPod "${1:-200m}" "${2:-5}"
