package io.scaledapi.simulator;

import java.util.List;

/** A scaling policy under simulation: asked for replicas every {@link #periodSeconds()}, from {@link #phaseSeconds()}. */
public interface Policy {

    String name();

    double periodSeconds();

    /** When the first decision falls: a controller's sync loop is not aligned with the trace. */
    default double phaseSeconds() {
        return 0;
    }

    /** The replicas wanted now, given the fleet as a metrics pipeline would see it. */
    int decide(int nowSecond, int currentReplicas, FleetView fleet);

    /** What a policy may read: the pods, and the counter of arrivals at the Service's ingress. */
    record FleetView(List<SimPod> pods, CounterHistory ingressArrivals) {}

    /**
     * A pod as the policies see it: times in simulated seconds; cumulative counters of requests that arrived (a
     * queue-proxy's count), requests served (the app's own counter), cache hits and misses, and the served requests'
     * duration sum; and the served counter at the end of each second of its life, for a Prometheus to scrape; and
     * whether a scrape of its metrics gets an answer now (false when they are served behind a queue longer than the
     * scrape timeout); and the requests waiting in its queue now, which a real pod's kernel holds unread.
     */
    record SimPod(
            String name,
            int createdSecond,
            double runningAt,
            double readyAt,
            boolean ready,
            double arrivals,
            double requests,
            double hits,
            double misses,
            double durationSum,
            double durationCount,
            CounterHistory history,
            double sharedHits,
            double sharedMisses,
            boolean metricsAnswered,
            double unread) {

        /** Pending (scheduled, image pulling) until its container runs. */
        public boolean pending(double now) {
            return now < runningAt;
        }

        /** The served counter at the start of {@code second}; 0 before the pod existed. */
        public double requestsAt(int second) {
            return history.at(second);
        }
    }
}
