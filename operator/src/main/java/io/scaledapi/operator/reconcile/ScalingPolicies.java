package io.scaledapi.operator.reconcile;

import java.time.Duration;

import io.scaledapi.operator.api.Durations;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.autoscaling.ScalingPolicy;

/** A ScaledApi's spec as the autoscaler's policy: the spec's values over the design note's defaults. */
public final class ScalingPolicies {

    private ScalingPolicies() {
    }

    public static ScalingPolicy from(ScaledApiSpec spec) {
        ScaledApiSpec.Scaling s = spec.scaling;
        ScalingPolicy d = ScalingPolicy.DEFAULTS;
        double target = s.targetRequestsPerSecond != null ? Math.max(s.targetRequestsPerSecond, 0) : 0;
        ScaledApiSpec.Panic panic = s.panic != null ? s.panic : new ScaledApiSpec.Panic();
        ScalingPolicy policy = d.withReplicas(new ScalingPolicy.Replicas(spec.replicas.min, spec.replicas.max))
                .withTarget(new ScalingPolicy.Target(target, 0, null))
                .withInterval(duration(s.interval, d.interval()))
                .withWindows(new ScalingPolicy.Windows(d.windows().stable(), duration(panic.window, d.windows().burst()),
                        d.windows().recent()))
                .withBurstThreshold(panic.threshold != null ? panic.threshold : d.burstThreshold())
                .withUp(rules(s.scaleUp, d.up()))
                .withDown(rules(s.scaleDown, d.down()));
        if (s.latencyTarget != null) {
            policy = policy.withLatencyTarget(s.latencyTarget.percentile, Durations.parse(s.latencyTarget.threshold));
        }
        return policy;
    }

    /** Whether the resource's decisions are only reported (spec.scaling.mode Recommend), never applied. */
    public static boolean recommendOnly(ScaledApiSpec spec) {
        return spec.scaling != null && spec.scaling.mode == ScaledApiSpec.ScalingMode.Recommend;
    }

    private static ScalingPolicy.Rules rules(ScaledApiSpec.ScalingRules given, ScalingPolicy.Rules d) {
        if (given == null) {
            return d;
        }
        return new ScalingPolicy.Rules(duration(given.stabilizationWindow, d.stabilization()),
                given.maxPods != null ? given.maxPods : d.maxPods(),
                given.maxPercent != null ? given.maxPercent : d.maxPercent(),
                duration(given.period, d.period()));
    }

    private static Duration duration(String text, Duration fallback) {
        return text == null ? fallback : Durations.parse(text);
    }
}
