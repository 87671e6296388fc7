package io.scaledapi.simulator;

import java.util.List;

/**
 * One policy's figures on one trace. Times in seconds, latencies in milliseconds.
 *
 * @param replicaSeconds  C: pods counted from their creation, ready or not
 * @param badSeconds      B: seconds whose p95 was above the SLO or whose failures exceeded the budget
 * @param slowSeconds     seconds whose p95 was above the SLO
 * @param failingSeconds  seconds whose failed requests exceeded the budget (0.1 % of that second's arrivals)
 * @param failedRequests  requests refused for want of a ready pod or beyond a pod's queue bound
 * @param stepResponses   per step of the trace, seconds until the ready pods' capacity covered the load (-1: never)
 * @param reversalsWhileScaling scale-downs decided while pods of a scale-up were still starting, and scale-ups within
 *                        a minute of a scale-down (the end-to-end test counts the same)
 * @param blindTicks      decisions that held (or went down) while a ready pod's queue alone passed the SLO and no
 *                        scale-up was on its way
 */
public record PolicyReport(
        long replicaSeconds,
        int badSeconds,
        int slowSeconds,
        int failingSeconds,
        long failedRequests,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        int scaleEvents,
        int reversals,
        List<Integer> stepResponses,
        int reversalsWhileScaling,
        int blindTicks) {

    /** The benchmark's cost: replica-seconds plus w per bad second. */
    public double cost(double w) {
        return replicaSeconds + w * badSeconds;
    }
}
