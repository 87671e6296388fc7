#!/usr/bin/env bash
# sample-api start-up cost, the way a new replica pays it: wall time and CPU-seconds from JVM start to a refreshed
# application context (-Dspring.context.exit=onRefresh), median of ROUNDS runs, for the fat jar, the extracted jar,
# and the extracted jar with the class-data-sharing archive (dev/sample-api-cds; what the image and the local
# cluster run).
#   bench/startup.sh            ROUNDS (5)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
[ -x /usr/bin/time ] || { echo "startup.sh: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
[ -f sample-api/target/sample-api.jar ] || mvn -q -B -DskipTests -pl sample-api -am package
CDS=$(dev/sample-api-cds)
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
measure() {
  local label="$1"; shift
  local walls=() cpus=()
  for _ in $(seq 1 "$ROUNDS"); do
    /usr/bin/time -o "$TIMES" -f "%e %U %S" env SERVER_PORT=0 MANAGEMENT_SERVER_PORT=0 SERVER_ADDRESS=127.0.0.1 \
      java -Dspring.context.exit=onRefresh "$@" >/dev/null 2>&1
    out=$(tail -1 "$TIMES")
    walls+=("$(echo "$out" | awk '{print $1}')")
    cpus+=("$(echo "$out" | awk '{printf "%.2f", $2 + $3}')")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  printf '%-34s wall %5s s   CPU %5s s   (median of %s)\n' "$label" "$(median "${walls[@]}")" "$(median "${cpus[@]}")" "$ROUNDS"
}
java -version 2>&1 | head -1
measure "fat jar" -jar sample-api/target/sample-api.jar
measure "extracted jar" -jar "$CDS/sample-api.jar"
measure "extracted jar + CDS archive" -XX:SharedArchiveFile="$CDS/sample-api.jsa" -Xlog:cds=off -jar "$CDS/sample-api.jar"
