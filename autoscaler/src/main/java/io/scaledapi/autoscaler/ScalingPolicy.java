package io.scaledapi.autoscaler;

import java.time.Duration;

/**
 * Everything the autoscaler is told. Plain values: the reconciler builds one from a ScaledApi's spec over
 * {@link #DEFAULTS}, the simulator from its configuration. {@link #DEFAULTS} is the one place the defaults live.
 *
 * @param replicas       the bounds
 * @param target         what one replica should carry: a request rate, a latency percentile, or both
 * @param windows        the stable and burst windows the rates are averaged over
 * @param burstThreshold burst mode starts when the burst window needs this many times the ready replicas
 * @param up             how fast replicas may rise
 * @param down           how fast replicas may fall
 * @param tolerance      no change while the load is within this fraction of the current capacity
 * @param interval       the tick
 * @param defaultStartup pod start-to-ready time assumed until one is measured
 */
public record ScalingPolicy(
        Replicas replicas,
        Target target,
        Windows windows,
        double burstThreshold,
        ScalingRules up,
        ScalingRules down,
        double tolerance,
        Duration interval,
        Duration defaultStartup) {

    /** Both bounds inclusive. */
    public record Replicas(int min, int max) {
        public Replicas {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("need 1 <= min <= max, got " + min + ".." + max);
            }
        }
    }

    /**
     * @param requestsPerSecond per-replica rate at steady state, or 0 when only the latency target is given
     * @param latencyPercentile percentile of the latency target in (0, 100), or 0 when there is none
     * @param latencyThreshold  the latency target, or null
     */
    public record Target(double requestsPerSecond, double latencyPercentile, Duration latencyThreshold) {
        public Target {
            if (requestsPerSecond < 0) {
                throw new IllegalArgumentException(
                        "the request-rate target cannot be negative, got " + requestsPerSecond);
            }
        }

        public boolean hasLatency() {
            return latencyThreshold != null && latencyPercentile > 0;
        }
    }

    /**
     * @param stable what scaling up and holding are judged on
     * @param burst  the short window that starts burst mode
     * @param recent what scaling down is judged on: short, so that a fleet comes down soon after a surge ends
     */
    public record Windows(Duration stable, Duration burst, Duration recent) {}

    /**
     * As the HPA's behavior: a stabilization window (up: the lowest recommendation of it; down: the highest), and
     * at most {@code maxPods} or {@code maxPercent} (whichever allows more) per {@code period}.
     */
    public record ScalingRules(Duration stabilization, int maxPods, int maxPercent, Duration period) {}

    /** The defaults a user can set, as the CRD writes them (constants: the CRD's schema and descriptions use them). */
    public static final String DEFAULT_INTERVAL = "2s";

    public static final String DEFAULT_BURST_WINDOW = "6s";
    public static final String DEFAULT_BURST_THRESHOLD = "2.0";
    /** {@link #DEFAULTS}' up and down rules in words ({@code ScalingPolicyTest} keeps them equal to the values). */
    public static final String DEFAULT_SCALE_UP = "no stabilization, +100% or +4 pods per 15s, whichever is more";

    public static final String DEFAULT_SCALE_DOWN = "30s stabilization, -50% per 15s";

    /** The defaults, for a fleet of 1 to 10 replicas with no target yet: the one place they live. */
    public static final ScalingPolicy DEFAULTS = new ScalingPolicy(
            new Replicas(1, 10),
            new Target(0, 0, null),
            new Windows(Duration.ofSeconds(60), Durations.parse(DEFAULT_BURST_WINDOW), Duration.ofSeconds(10)),
            Double.parseDouble(DEFAULT_BURST_THRESHOLD),
            new ScalingRules(Duration.ZERO, 4, 100, Duration.ofSeconds(15)),
            new ScalingRules(Duration.ofSeconds(30), 0, 50, Duration.ofSeconds(15)),
            0.1,
            Durations.parse(DEFAULT_INTERVAL),
            Duration.ofSeconds(20));

    /** The defaults around a rate target. */
    public static ScalingPolicy defaults(int min, int max, double targetRequestsPerSecond) {
        return DEFAULTS.withReplicas(new Replicas(min, max)).withTarget(new Target(targetRequestsPerSecond, 0, null));
    }

    public int minReplicas() {
        return replicas.min();
    }

    public int maxReplicas() {
        return replicas.max();
    }

    public ScalingPolicy withReplicas(Replicas r) {
        return new ScalingPolicy(r, target, windows, burstThreshold, up, down, tolerance, interval, defaultStartup);
    }

    public ScalingPolicy withTarget(Target t) {
        return new ScalingPolicy(replicas, t, windows, burstThreshold, up, down, tolerance, interval, defaultStartup);
    }

    public ScalingPolicy withLatencyTarget(double percentile, Duration threshold) {
        return withTarget(new Target(target.requestsPerSecond(), percentile, threshold));
    }

    public ScalingPolicy withWindows(Windows w) {
        return new ScalingPolicy(replicas, target, w, burstThreshold, up, down, tolerance, interval, defaultStartup);
    }

    public ScalingPolicy withBurstThreshold(double threshold) {
        return new ScalingPolicy(replicas, target, windows, threshold, up, down, tolerance, interval, defaultStartup);
    }

    public ScalingPolicy withUp(ScalingRules rules) {
        return new ScalingPolicy(
                replicas, target, windows, burstThreshold, rules, down, tolerance, interval, defaultStartup);
    }

    public ScalingPolicy withDown(ScalingRules rules) {
        return new ScalingPolicy(
                replicas, target, windows, burstThreshold, up, rules, tolerance, interval, defaultStartup);
    }

    public ScalingPolicy withInterval(Duration tick) {
        return new ScalingPolicy(replicas, target, windows, burstThreshold, up, down, tolerance, tick, defaultStartup);
    }
}
