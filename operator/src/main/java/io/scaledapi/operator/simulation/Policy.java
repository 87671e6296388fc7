package io.scaledapi.operator.simulation;

import java.util.List;

/** A scaling policy under simulation: asked for replicas every {@link #periodSeconds()}. */
public interface Policy {

    String name();

    double periodSeconds();

    /** The replicas wanted now, given the fleet as a metrics pipeline would see it. */
    int decide(int nowSecond, int currentReplicas, List<SimPod> pods);

    /**
     * A pod as the policies see it: readiness, times (in simulated seconds), cumulative counters, and its request
     * counter as sampled at the end of each second of its life ({@code history.get(k)} at second createdSecond + k).
     */
    record SimPod(String name, int createdSecond, double readyAt, boolean ready, double requests, double hits,
            double misses, double durationSum, double durationCount, List<Double> history) {

        /** The request counter at the start of {@code second} (the end of the one before); 0 before the pod existed. */
        public double requestsAt(int second) {
            int index = second - createdSecond - 1;
            if (index < 0 || history.isEmpty()) {
                return 0;
            }
            return history.get(Math.min(index, history.size() - 1));
        }
    }
}
