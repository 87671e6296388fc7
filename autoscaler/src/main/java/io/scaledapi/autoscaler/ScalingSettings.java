package io.scaledapi.autoscaler;

import java.time.Duration;

/**
 * A ScaledApi's {@code spec.replicas} and {@code spec.scaling} as a user wrote them: plain values named as in the
 * CRD, null where left out. {@link #policy()} puts them over {@link ScalingPolicy#DEFAULTS}. The operator builds one
 * from the resource, the simulator from a manifest file, so both run the same policy for the same spec.
 */
public record ScalingSettings(
        int minReplicas,
        int maxReplicas,
        Double targetRequestsPerSecond,
        String interval,
        Burst burst,
        ScalingRules scaleUp,
        ScalingRules scaleDown,
        LatencyTarget latencyTarget) {

    /** {@code spec.scaling.burst}: the short window and the multiple of ready replicas that start burst mode. */
    public record Burst(String window, Double threshold) {}

    /**
     * The longest stabilization window and period a spec may ask for: the HPA's own maximums (3600 s and 1800 s).
     * With the shortest interval they bound how much decision history there is to keep.
     */
    public static final String MAX_STABILIZATION_WINDOW = "1h";

    public static final String MAX_PERIOD = "30m";

    /** {@code spec.scaling.scaleUp} or {@code scaleDown}. */
    public record ScalingRules(String stabilizationWindow, Integer maxPods, Integer maxPercent, String period) {
        public ScalingRules {
            if (stabilizationWindow != null
                    && Durations.parse(stabilizationWindow).compareTo(Durations.parse(MAX_STABILIZATION_WINDOW)) > 0) {
                throw new IllegalArgumentException("stabilizationWindow must be at most " + MAX_STABILIZATION_WINDOW
                        + ", got " + stabilizationWindow);
            }
            if (period != null && Durations.parse(period).compareTo(Durations.parse(MAX_PERIOD)) > 0) {
                throw new IllegalArgumentException("period must be at most " + MAX_PERIOD + ", got " + period);
            }
        }
    }

    /** {@code spec.scaling.latencyTarget}. */
    public record LatencyTarget(Double percentile, String threshold) {}

    /** The policy these settings ask for: each value given over its default. */
    public ScalingPolicy policy() {
        ScalingPolicy d = ScalingPolicy.DEFAULTS;
        double target = targetRequestsPerSecond != null ? Math.max(targetRequestsPerSecond, 0) : 0;
        Burst b = burst != null ? burst : new Burst(null, null);
        ScalingPolicy policy = d.withReplicas(new ScalingPolicy.Replicas(minReplicas, maxReplicas))
                .withTarget(new ScalingPolicy.Target(target, 0, null))
                .withInterval(duration(interval, d.interval()))
                .withWindows(new ScalingPolicy.Windows(
                        d.windows().stable(),
                        duration(b.window(), d.windows().burst()),
                        d.windows().recent()))
                .withBurstThreshold(b.threshold() != null ? b.threshold() : d.burstThreshold())
                .withUp(rules(scaleUp, d.up()))
                .withDown(rules(scaleDown, d.down()));
        if (latencyTarget != null) {
            policy = policy.withLatencyTarget(latencyTarget.percentile(), Durations.parse(latencyTarget.threshold()));
        }
        return policy;
    }

    private static ScalingPolicy.ScalingRules rules(ScalingRules given, ScalingPolicy.ScalingRules d) {
        if (given == null) {
            return d;
        }
        return new ScalingPolicy.ScalingRules(
                duration(given.stabilizationWindow(), d.stabilization()),
                given.maxPods() != null ? given.maxPods() : d.maxPods(),
                given.maxPercent() != null ? given.maxPercent() : d.maxPercent(),
                duration(given.period(), d.period()));
    }

    private static Duration duration(String text, Duration fallback) {
        return text == null ? fallback : Durations.parse(text);
    }
}
