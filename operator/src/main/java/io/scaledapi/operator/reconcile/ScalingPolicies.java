package io.scaledapi.operator.reconcile;

import java.time.Duration;

import io.scaledapi.operator.api.Durations;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.autoscaling.ScalingPolicy;

/** A ScaledApi's spec as the autoscaler's policy: the spec's values over the design note's defaults. */
final class ScalingPolicies {

    private ScalingPolicies() {
    }

    static ScalingPolicy from(ScaledApiSpec spec) {
        ScaledApiSpec.Scaling s = spec.scaling;
        double target = s.targetRequestsPerSecond != null ? s.targetRequestsPerSecond : 0;
        ScalingPolicy d = ScalingPolicy.defaults(spec.replicas.min, spec.replicas.max, Math.max(target, 0));
        ScaledApiSpec.ScalingRules up = s.scaleUp != null ? s.scaleUp : new ScaledApiSpec.ScalingRules();
        ScaledApiSpec.ScalingRules down = s.scaleDown != null ? s.scaleDown : new ScaledApiSpec.ScalingRules();
        ScaledApiSpec.Panic panic = s.panic != null ? s.panic : new ScaledApiSpec.Panic();
        ScalingPolicy policy = new ScalingPolicy(spec.replicas.min, spec.replicas.max, target, 0, null,
                duration(s.interval, d.interval()),
                d.stableWindow(),
                duration(panic.window, d.burstWindow()),
                panic.threshold != null ? panic.threshold : d.burstThreshold(),
                duration(up.stabilizationWindow, d.upStabilization()),
                up.maxPods != null ? up.maxPods : d.upMaxPods(),
                up.maxPercent != null ? up.maxPercent : d.upMaxPercent(),
                duration(up.period, d.upPeriod()),
                duration(down.stabilizationWindow, d.downStabilization()),
                down.maxPods != null ? down.maxPods : d.downMaxPods(),
                down.maxPercent != null ? down.maxPercent : d.downMaxPercent(),
                duration(down.period, d.downPeriod()),
                d.tolerance(),
                d.defaultStartup());
        if (s.latencyTarget != null) {
            policy = policy.withLatencyTarget(s.latencyTarget.percentile, Durations.parse(s.latencyTarget.threshold));
        }
        return policy;
    }

    private static Duration duration(String text, Duration fallback) {
        return text == null ? fallback : Durations.parse(text);
    }
}
