package io.scaledapi.operator.simulation;

import java.util.List;

/** One policy's figures on one trace. Times in seconds, latencies in milliseconds. */
public record PolicyReport(
        int overloadSeconds,
        int sloViolationSeconds,
        long failedRequests,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        long replicaSeconds,
        int scaleEvents,
        int reversals,
        List<Integer> stepResponses) {
}
