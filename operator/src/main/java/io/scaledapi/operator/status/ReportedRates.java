package io.scaledapi.operator.status;

import io.scaledapi.autoscaler.Autoscaler;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.autoscaler.ScalingPolicy;
import io.scaledapi.operator.api.ScaledApiStatus;

/**
 * The request rates (each window's {@code low} figure: what scaling up trusts) and cache hit ratios (the pods' own
 * caches, and the shared tier) as status shows them: rounded, and moved only when the measured value leaves a margin
 * around the shown one, so that a steady load (whose windows wobble a little every tick) does not
 * rewrite status every tick, while a real change shows within one.
 */
public record ReportedRates(Double stable, Double burst, Double hitRatio, Double sharedHitRatio, Double podCapacity) {

    static final ReportedRates NONE = new ReportedRates(null, null, null, null, null);
    /** Relative margins: the stable window averages a minute, the burst window a few seconds, so it wobbles more. */
    static final double STABLE_MARGIN = 0.05;

    static final double BURST_MARGIN = 0.10;
    /** Absolute margin below which a rate is not moved (req/s), and the hit ratio's margin. */
    static final double RATE_FLOOR = 1.0;

    static final double HIT_RATIO_MARGIN = 0.02;

    public static ReportedRates of(ScaledApiStatus status) {
        if (status == null) {
            return NONE;
        }
        return new ReportedRates(
                status.requestRate == null ? null : status.requestRate.stable,
                status.requestRate == null ? null : status.requestRate.burst,
                status.cacheHitRatio,
                status.sharedCacheHitRatio,
                status.podCapacity == null ? null : status.podCapacity.measuredRequestsPerSecond);
    }

    /** What to show after this decision; unknown values (NaN) keep what is shown. */
    public ReportedRates next(Decision d) {
        return new ReportedRates(
                moved(stable, d.rates().stable().low(), STABLE_MARGIN, RATE_FLOOR, 10),
                moved(burst, d.rates().burst().low(), BURST_MARGIN, RATE_FLOOR, 10),
                moved(hitRatio, d.rates().hitRatio(), 0, HIT_RATIO_MARGIN, 1000),
                moved(sharedHitRatio, d.rates().sharedHitRatio(), 0, HIT_RATIO_MARGIN, 1000),
                moved(podCapacity, d.podCapacity(), STABLE_MARGIN, RATE_FLOOR, 1));
    }

    static Double moved(Double shown, double measured, double relative, double floor, double scale) {
        if (!Double.isFinite(measured)) {
            return shown;
        }
        if (shown != null && Math.abs(measured - shown) <= Math.max(relative * Math.abs(shown), floor)) {
            return shown;
        }
        return Math.round(measured * scale) / scale;
    }

    /** Also the pod capacity, shown against the target (which the status cannot know alone). */
    void writeTo(ScaledApiStatus status, double targetRequestsPerSecond) {
        writeTo(status);
        if (podCapacity != null) {
            status.podCapacity = new ScaledApiStatus.PodCapacity();
            status.podCapacity.measuredRequestsPerSecond = podCapacity;
            if (targetRequestsPerSecond > 0) {
                status.podCapacity.targetRequestsPerSecond = targetRequestsPerSecond;
                status.podCapacity.plannedRequestsPerSecond = (double) Math.round(Autoscaler.plannedPerPod(
                        targetRequestsPerSecond, podCapacity, ScalingPolicy.DEFAULTS.tolerance()));
            }
        }
    }

    void writeTo(ScaledApiStatus status) {
        if (stable != null) {
            status.requestRate = new ScaledApiStatus.RequestRate();
            status.requestRate.stable = stable;
            status.requestRate.burst = burst;
        }
        if (hitRatio != null) {
            status.cacheHitRatio = hitRatio;
            status.cacheHitPercent = (int) Math.round(hitRatio * 100);
        }
        if (sharedHitRatio != null) {
            status.sharedCacheHitRatio = sharedHitRatio;
            status.sharedCacheHitPercent = (int) Math.round(sharedHitRatio * 100);
        }
    }
}
