package io.scaledapi.operator.autoscaling;

import java.util.Locale;

/**
 * The third stage: a request rate becomes replicas. The per-replica rate target gives ceil(rate / target); a latency
 * target gives the fewest replicas for which an M/M/c queue, at the measured mean service time, keeps the
 * percentile under the threshold (Erlang C). The measured service time already carries the cache: cold pods serve
 * slower. The larger answer wins.
 */
final class Capacity {

    private Capacity() {
    }

    /** Replicas for a rate, the basis in words, and whether the latency target cannot be met within the maximum. */
    record Need(int replicas, String basis, boolean unreachable) {
    }

    static Need need(double rate, double meanServiceSeconds, ScalingPolicy policy) {
        ScalingPolicy.Target target = policy.target();
        int replicas = 0;
        String basis = "";
        if (target.requestsPerSecond() > 0) {
            replicas = (int) Math.ceil(rate / target.requestsPerSecond() - 1e-9);
            basis = String.format(Locale.ROOT, " at %,.0f req/s each", target.requestsPerSecond());
        }
        boolean unreachable = false;
        if (target.hasLatency() && Double.isFinite(meanServiceSeconds) && meanServiceSeconds > 0) {
            int servers = ErlangC.serversFor(rate, 1 / meanServiceSeconds, target.latencyPercentile() / 100,
                    target.latencyThreshold().toNanos() / 1e9, policy.maxReplicas());
            if (servers < 0) {
                unreachable = true;
                servers = policy.maxReplicas();
            }
            if (servers > replicas) {
                replicas = servers;
                basis = String.format(Locale.ROOT, " for p%s under %d ms (M/M/c, mean service %.1f ms)",
                        percentile(target.latencyPercentile()), target.latencyThreshold().toMillis(), meanServiceSeconds * 1000);
            }
        }
        return new Need(replicas, basis, unreachable);
    }

    /** Whether {@code rate} is within the tolerance of what {@code current} replicas carry at the rate target. */
    static boolean withinTolerance(double rate, int current, ScalingPolicy policy) {
        double target = policy.target().requestsPerSecond();
        if (target <= 0 || current <= 0) {
            return false;
        }
        return Math.abs(rate / (current * target) - 1) <= policy.tolerance();
    }

    private static String percentile(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
