package io.scaledapi.operator.reconcile;

import io.scaledapi.autoscaler.ScalingPolicy;
import io.scaledapi.autoscaler.ScalingSettings;
import io.scaledapi.operator.api.ScaledApiSpec;

/** A ScaledApi's spec as the autoscaler's settings: a copy, field by field; the defaults live in the autoscaler. */
public final class ScalingPolicies {

    private ScalingPolicies() {
    }

    public static ScalingPolicy from(ScaledApiSpec spec) {
        return settings(spec).policy();
    }

    static ScalingSettings settings(ScaledApiSpec spec) {
        ScaledApiSpec.Scaling s = spec.scaling;
        ScaledApiSpec.Burst burst = spec.burst();
        return new ScalingSettings(spec.replicas.min, spec.replicas.max, s.targetRequestsPerSecond, s.interval,
                burst == null ? null : new ScalingSettings.Burst(burst.window, burst.threshold),
                rules(s.scaleUp), rules(s.scaleDown),
                s.latencyTarget == null ? null
                        : new ScalingSettings.LatencyTarget(s.latencyTarget.percentile, s.latencyTarget.threshold));
    }

    /** Whether the resource's decisions are only reported (spec.scaling.mode Recommend), never applied. */
    public static boolean recommendOnly(ScaledApiSpec spec) {
        return spec.scaling != null && spec.scaling.mode == ScaledApiSpec.ScalingMode.Recommend;
    }

    private static ScalingSettings.Rules rules(ScaledApiSpec.ScalingRules given) {
        return given == null ? null
                : new ScalingSettings.Rules(given.stabilizationWindow, given.maxPods, given.maxPercent, given.period);
    }
}
