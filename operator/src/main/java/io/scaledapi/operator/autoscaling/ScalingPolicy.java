package io.scaledapi.operator.autoscaling;

import java.time.Duration;

/**
 * Everything the autoscaler is told, with the defaults of the design note. Plain values: the reconciler builds one
 * from a ScaledApi's spec, the simulator from its configuration.
 *
 * @param targetRequestsPerSecond per-replica rate at steady state, or 0 when only the latency target is given
 * @param latencyPercentile       percentile of the latency target in (0, 100), or 0 when there is none
 * @param latencyThreshold        the latency target, or null
 * @param tolerance               no change while the load is within this fraction of the current capacity (HPA's 0.1)
 * @param defaultStartup          pod start-to-ready time assumed until one is measured
 */
public record ScalingPolicy(
        int minReplicas,
        int maxReplicas,
        double targetRequestsPerSecond,
        double latencyPercentile,
        Duration latencyThreshold,
        Duration interval,
        Duration stableWindow,
        Duration burstWindow,
        double burstThreshold,
        Duration upStabilization,
        int upMaxPods,
        int upMaxPercent,
        Duration upPeriod,
        Duration downStabilization,
        int downMaxPods,
        int downMaxPercent,
        Duration downPeriod,
        double tolerance,
        Duration defaultStartup) {

    public ScalingPolicy {
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= min <= max, got " + minReplicas + ".." + maxReplicas);
        }
        if (targetRequestsPerSecond < 0) {
            throw new IllegalArgumentException("the request-rate target cannot be negative, got " + targetRequestsPerSecond);
        }
    }

    /** The design note's defaults around a rate target. */
    public static ScalingPolicy defaults(int min, int max, double targetRequestsPerSecond) {
        return new ScalingPolicy(min, max, targetRequestsPerSecond, 0, null, Duration.ofSeconds(2),
                Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0,
                Duration.ZERO, 4, 100, Duration.ofSeconds(15),
                Duration.ofSeconds(300), 0, 50, Duration.ofSeconds(60),
                0.1, Duration.ofSeconds(20));
    }

    public boolean hasLatencyTarget() {
        return latencyThreshold != null && latencyPercentile > 0;
    }

    public ScalingPolicy withLatencyTarget(double percentile, Duration threshold) {
        return new ScalingPolicy(minReplicas, maxReplicas, targetRequestsPerSecond, percentile, threshold, interval,
                stableWindow, burstWindow, burstThreshold, upStabilization, upMaxPods, upMaxPercent, upPeriod,
                downStabilization, downMaxPods, downMaxPercent, downPeriod, tolerance, defaultStartup);
    }

    public ScalingPolicy withInterval(Duration tick) {
        return new ScalingPolicy(minReplicas, maxReplicas, targetRequestsPerSecond, latencyPercentile, latencyThreshold, tick,
                stableWindow, burstWindow, burstThreshold, upStabilization, upMaxPods, upMaxPercent, upPeriod,
                downStabilization, downMaxPods, downMaxPercent, downPeriod, tolerance, defaultStartup);
    }
}
