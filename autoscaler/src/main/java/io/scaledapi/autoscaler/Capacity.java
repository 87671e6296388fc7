package io.scaledapi.autoscaler;

import java.util.Locale;

/**
 * The third stage: a request rate becomes replicas. The per-replica rate target gives ceil(rate / target); a latency
 * target gives the fewest replicas for which an M/M/c queue, at the measured mean service time, keeps the
 * percentile under the threshold (Erlang C). The measured service time already carries the cache: cold pods serve
 * slower. The larger answer wins.
 */
final class Capacity {

    private Capacity() {}

    /** Replicas for a rate, the basis in words, and whether the latency target cannot be met within the maximum. */
    record Need(int replicas, String basis, boolean unreachable) {}

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
            int servers = ErlangC.serversFor(
                    rate,
                    1 / meanServiceSeconds,
                    target.latencyPercentile() / 100,
                    target.latencyThreshold().toNanos() / 1e9,
                    policy.maxReplicas());
            if (servers < 0) {
                unreachable = true;
                servers = policy.maxReplicas();
            }
            if (servers > replicas) {
                replicas = servers;
                basis = String.format(
                        Locale.ROOT,
                        " for p%s under %d ms (M/M/c, mean service %.1f ms)",
                        percentile(target.latencyPercentile()),
                        target.latencyThreshold().toMillis(),
                        meanServiceSeconds * 1000);
            }
        }
        return new Need(replicas, basis, unreachable);
    }

    /**
     * What a new pod carries at first, as a share of a warm pod's load, when its cache starts empty and its misses go
     * to the origin: it warms its hottest keys within seconds, but the origin calls of its first minute slow it.
     */
    static final double COLD_POD_SHARE = 0.75;

    /**
     * A new pod's expected share of a warm pod's capacity. Its own cache starts {@code coldness} short of the fleet's
     * (measured on the pods seen newly ready: 0 for pods that load their hot keys before ready), and the shared tier
     * answers its local misses at the fleet's shared hit ratio (none without a shared tier): 1 for a pod that starts
     * warm or behind a warm shared tier, down to COLD_POD_SHARE for an empty cache with nothing behind it.
     */
    static double newPodShare(double coldness, double sharedHitRatio) {
        double c = Double.isFinite(coldness) ? Math.max(0, Math.min(1, coldness)) : 0;
        double h = Double.isFinite(sharedHitRatio) ? Math.max(0, Math.min(1, sharedHitRatio)) : 0;
        return 1 - (1 - COLD_POD_SHARE) * c * (1 - h);
    }

    /** Replicas such that {@code current} warm pods and the added ones, each at {@code share}, carry {@code needed}. */
    static int withNewPods(int current, int needed, double share) {
        if (needed <= current || share >= 1) {
            return needed;
        }
        return current + (int) Math.ceil((needed - current) / share - 1e-9);
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
