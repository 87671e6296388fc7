#!/usr/bin/env python3
"""Watches a ScaledApi's pods during bench/scale-up.sh and probes each pod that was not there at the start.

Every half second it lists the pods (kubectl ... get pods -o json). A new pod is recorded with its creation time and
the first time it was seen Ready; from then on a thread sends it RATE requests a second directly (its pod IP, the API
port), each recorded with its latency: the latency a client of that pod sees, its share of the Service's load
included, with no proxy in between. Stops after SECONDS.

  new-pod-probe.py KUBECTL_COMMAND SELECTOR OUT_DIR SECONDS [RATE]
Writes OUT_DIR/pods.csv (name,created_epoch,ready_epoch) and OUT_DIR/probes.csv (name,epoch,ms,ok).
"""
import datetime
import http.client
import json
import random
import shlex
import subprocess
import sys
import threading
import time

kubectl, selector, out, seconds = shlex.split(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
deadline = time.time() + seconds
lock = threading.Lock()
probes = open(f"{out}/probes.csv", "w")
probes.write("name,epoch,ms,ok\n")


def epoch(timestamp):
    return datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def pods():
    listed = subprocess.run(kubectl + ["get", "pods", "-l", selector, "-o", "json"], capture_output=True, text=True)
    return json.loads(listed.stdout)["items"] if listed.returncode == 0 else None


def probe(name, address, port):
    connection = None
    interval = 1.0 / rate
    next_at = time.time()
    while time.time() < deadline:
        next_at += interval
        start = time.time()
        ok = 0
        try:
            if connection is None:
                connection = http.client.HTTPConnection(address, port, timeout=5)
            connection.request("GET", f"/api/items/{random.randint(1, 1000)}")
            response = connection.getresponse()
            response.read()
            ok = 1 if response.status == 200 else 0
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection = None
        with lock:
            probes.write(f"{name},{start:.3f},{(time.time() - start) * 1000:.1f},{ok}\n")
        time.sleep(max(0.0, next_at - time.time()))


def main():
    first = None
    while first is None and time.time() < deadline:
        first = pods()
    present = {p["metadata"]["name"] for p in first or []}
    seen = {}
    with open(f"{out}/pods.csv", "w") as recorded:
        recorded.write("name,created_epoch,ready_epoch\n")
        while time.time() < deadline:
            for pod in pods() or []:
                name = pod["metadata"]["name"]
                if name in present or name in seen:
                    continue
                ready = any(c["type"] == "Ready" and c["status"] == "True"
                            for c in pod.get("status", {}).get("conditions", []))
                address = pod.get("status", {}).get("podIP")
                if ready and address:
                    seen[name] = time.time()
                    recorded.write(f"{name},{epoch(pod['metadata']['creationTimestamp']):.0f},{seen[name]:.3f}\n")
                    recorded.flush()
                    port = next((p["containerPort"] for c in pod["spec"]["containers"] for p in c.get("ports", [])
                                 if p.get("name") == "http"), 8080)
                    threading.Thread(target=probe, args=(name, address, port), daemon=True).start()
            time.sleep(0.5)
    time.sleep(1)
    with lock:
        probes.close()


main()
